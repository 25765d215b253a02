/**
 * Secrets in the configuration: written as references ({@code env:NAME}, {@code file:/path}),
 * resolved at load time into {@link relay.config.secret.Secret} values that never print themselves.
 */
package relay.config.secret;
