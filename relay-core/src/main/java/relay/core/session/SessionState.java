package relay.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import relay.core.envelope.MailParameters;
import relay.core.envelope.MailPath;
import relay.core.envelope.Recipient;

/**
 * Everything one SMTP session remembers between inputs. Immutable: each input yields a new state.
 *
 * @param phase what kind of input is expected next
 * @param helo the EHLO/HELO argument, or null before it
 * @param esmtp whether the client said EHLO (rather than HELO)
 * @param tlsActive whether the connection is encrypted
 * @param sender the MAIL FROM path of the open transaction, or null
 * @param parameters the MAIL FROM parameters of the open transaction, or null
 * @param recipients accepted recipients of the open transaction, without duplicates
 * @param errors how many commands failed so far
 * @param junk commands that moved no mail (NOOP, RSET, VRFY, HELP, HELO/EHLO) since the session
 *     began or last queued a message
 * @param authenticatedUser the user the client authenticated as (SMTP AUTH), or null
 * @param pendingAuth the SASL exchange under way in phase AUTH, or null
 * @param chunking how far the transaction has got with BDAT chunks
 * @param chunk the BDAT chunk being read (phases OPENING and CHUNK), or null
 * @param tls the TLS session once its handshake completed, or null (in clear text, and with implicit
 *     TLS until the handshake's details are known); {@code tlsActive} says whether encrypted
 */
public record SessionState(
    Phase phase,
    String helo,
    boolean esmtp,
    boolean tlsActive,
    MailPath sender,
    MailParameters parameters,
    List<Recipient> recipients,
    int errors,
    int junk,
    String authenticatedUser,
    PendingAuth pendingAuth,
    Chunking chunking,
    Chunk chunk,
    SessionTls tls) {

  /** What the session waits for. */
  public enum Phase {
    /** Before {@link SmtpSession#connect()}. */
    NEW,
    /** Command lines. */
    COMMANDS,
    /** DATA or a first BDAT accepted; waiting for the spool transaction to open. */
    OPENING,
    /** Message content; waiting for {@link SmtpSession#dataEnd}. */
    DATA,
    /**
     * The octets of a BDAT chunk; waiting for {@link SmtpSession#chunkReceived} (kept) or
     * {@link SmtpSession#chunkSkipped} (discarded).
     */
    CHUNK,
    /** Waiting for the spool commit. */
    COMMITTING,
    /** AUTH under way: the next line is a SASL response, for {@link SmtpSession#authResponse}. */
    AUTH,
    /** STARTTLS accepted; waiting for the handshake. */
    TLS_HANDSHAKE,
    /** The connection is to be closed; no more input is accepted. */
    CLOSED
  }

  public SessionState {
    recipients = List.copyOf(recipients);
    Objects.requireNonNull(chunking, "chunking");
  }

  /** The state of a new connection. */
  public static SessionState initial(boolean tlsActive) {
    return new SessionState(Phase.NEW, null, false, tlsActive, null, null, List.of(), 0, 0, null, null, Chunking.NONE, null, null);
  }

  public boolean inTransaction() {
    return sender != null;
  }

  /**
   * Whether a message is part-way through its BDAT chunks: content is in an open spool
   * transaction although the session reads commands.
   */
  public boolean receivingChunks() {
    return chunking instanceof Chunking.Accepting;
  }

  SessionState withPhase(Phase p) {
    return new SessionState(p, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk, authenticatedUser, null,
        chunking, chunk, tls);
  }

  SessionState greeted(String name, boolean extended) {
    return new SessionState(Phase.COMMANDS, name, extended, tlsActive, null, null, List.of(), errors, junk, authenticatedUser, null,
        Chunking.NONE, null, tls);
  }

  SessionState withTransaction(MailPath from, MailParameters params) {
    return new SessionState(phase, helo, esmtp, tlsActive, from, params, List.of(), errors, junk, authenticatedUser, null,
        Chunking.NONE, null, tls);
  }

  SessionState withRecipient(Recipient r) {
    List<Recipient> more = new ArrayList<>(recipients);
    more.add(r);
    return new SessionState(phase, helo, esmtp, tlsActive, sender, parameters, more, errors, junk, authenticatedUser, null,
        chunking, chunk, tls);
  }

  SessionState reset() {
    return new SessionState(Phase.COMMANDS, helo, esmtp, tlsActive, null, null, List.of(), errors, junk, authenticatedUser, null,
        Chunking.NONE, null, tls);
  }

  /**
   * After the TLS handshake that STARTTLS began, with its details ({@code established}, or null when
   * not known): everything learnt in plain text is forgotten (RFC 3207 section 4.2).
   */
  SessionState afterTls(SessionTls established) {
    return new SessionState(Phase.COMMANDS, null, false, true, null, null, List.of(), errors, junk, null, null, Chunking.NONE, null,
        established);
  }

  /** The implicit TLS handshake completed: its details, nothing else changes. */
  SessionState withTls(SessionTls established) {
    return new SessionState(phase, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk, authenticatedUser,
        pendingAuth, chunking, chunk, established);
  }

  /** A SASL exchange continues with the client's next line. */
  SessionState authenticating(PendingAuth pending) {
    return new SessionState(Phase.AUTH, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk, authenticatedUser, pending,
        chunking, chunk, tls);
  }

  /** The client authenticated as {@code user}. */
  SessionState authenticated(String user) {
    return new SessionState(Phase.COMMANDS, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk, user, null,
        chunking, chunk, tls);
  }

  SessionState withError() {
    return new SessionState(phase, helo, esmtp, tlsActive, sender, parameters, recipients, errors + 1, junk, authenticatedUser, null,
        chunking, chunk, tls);
  }

  /** One more command that moved no mail. */
  SessionState withJunk() {
    return new SessionState(phase, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk + 1, authenticatedUser,
        pendingAuth, chunking, chunk, tls);
  }

  /** A message was queued: the junk count starts again. */
  SessionState withoutJunk() {
    return new SessionState(phase, helo, esmtp, tlsActive, sender, parameters, recipients, errors, 0, authenticatedUser,
        pendingAuth, chunking, chunk, tls);
  }

  /** The octets of {@code c} are read next (phase CHUNK). */
  SessionState readingChunk(Chunk c) {
    return new SessionState(Phase.CHUNK, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk, authenticatedUser,
        null, chunking, c, tls);
  }

  /** The spool transaction for a first BDAT is opening; {@code c} is read once it is. */
  SessionState openingForChunk(Chunk c) {
    return new SessionState(Phase.OPENING, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk,
        authenticatedUser, null, chunking, c, tls);
  }

  /** Back to commands after a chunk, the transaction now at {@code progress}. */
  SessionState withChunking(Chunking progress) {
    return new SessionState(Phase.COMMANDS, helo, esmtp, tlsActive, sender, parameters, recipients, errors, junk,
        authenticatedUser, null, progress, null, tls);
  }
}
