package relay.core.envelope;

/** The {@code BODY=} parameter of MAIL FROM (RFC 6152); {@code BINARYMIME} is not offered. */
public enum BodyType {
  SEVEN_BIT,
  EIGHT_BIT_MIME
}
