package relay.core.session;

/**
 * What the content decoder saw in one DATA phase, handed to {@link SmtpSession#dataEnd}.
 *
 * @param size octets of decoded content (after dot-unstuffing and line ending repair)
 * @param tooBig the content exceeded the connector's maximum message size
 * @param lineTooLong a text line exceeded the connector's maximum text line length
 * @param bareLineEnding the content held a bare CR or bare LF
 */
public record DataSummary(long size, boolean tooBig, boolean lineTooLong, boolean bareLineEnding) {

  public DataSummary {
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }
}
