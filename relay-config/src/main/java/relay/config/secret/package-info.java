/**
 * Secrets in the configuration: written as references ({@code env:NAME}, {@code file:/path}),
 * resolved at load time into {@link relay.core.connector.Secret} values that never print themselves.
 */
package relay.config.secret;
