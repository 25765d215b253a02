package relay.server.diagnose;

/**
 * One decoded entry of Microsoft's anti-spam header fields, e.g. {@code SCL:1} of
 * {@code X-Forefront-Antispam-Report}. Immutable.
 *
 * @param field the header field it came from
 * @param name the entry's name ({@code SCL}, {@code SFV}...)
 * @param value its value as written
 * @param meaning what it means, or null for an entry we do not decode
 * @param warning whether it says the message was taken for spam, bulk, phishing or the like
 */
public record AntispamField(String field, String name, String value, String meaning, boolean warning) {}
