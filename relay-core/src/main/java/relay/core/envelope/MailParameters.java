package relay.core.envelope;

import java.util.Objects;

/**
 * The ESMTP parameters of MAIL FROM, parsed once by the command parser.
 *
 * @param declaredSize the {@code SIZE=} value, or -1 when not given
 * @param body the {@code BODY=} value (7BIT when not given)
 * @param smtpUtf8 whether {@code SMTPUTF8} was given
 * @param dsnReturn the {@code RET=} value, or null
 * @param envelopeId the {@code ENVID=} value as received (xtext), or null
 */
public record MailParameters(
    long declaredSize, BodyType body, boolean smtpUtf8, DsnReturn dsnReturn, String envelopeId) {

  public static final MailParameters NONE =
      new MailParameters(-1, BodyType.SEVEN_BIT, false, null, null);

  public MailParameters {
    Objects.requireNonNull(body, "body");
    if (declaredSize < -1) {
      throw new IllegalArgumentException("negative SIZE");
    }
  }
}
