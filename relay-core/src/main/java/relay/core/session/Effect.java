package relay.core.session;

import java.util.List;
import java.util.Objects;
import relay.core.envelope.Envelope;
import relay.core.policy.BareLineEndings;
import relay.core.spool.SpoolPart;
import relay.core.tracking.TrackingEvent;

/**
 * Something the session asks its adapter to do; the session itself never touches a socket, a thread
 * or the spool. The adapter carries out the effects of a {@link Transition} in order, after writing
 * its replies, and reports the outcome back as the next input.
 */
public sealed interface Effect {

  /**
   * Open a spool transaction for the message whose DATA was just accepted; answer with
   * {@link SmtpSession#spoolOpened} or {@link SmtpSession#spoolFailed}.
   */
  record OpenMessage() implements Effect {}

  /**
   * Switch the connection to DATA mode: write {@code receivedHeader} to the spool first, then feed
   * raw bytes to a {@link MessageContentDecoder} built from these settings until it finishes, and
   * answer with {@link SmtpSession#dataEnd}.
   */
  record BeginData(byte[] receivedHeader, long maxMessageSize, int maxTextLine, BareLineEndings bareLineEndings)
      implements Effect {
    public BeginData {
      receivedHeader = receivedHeader.clone();
      Objects.requireNonNull(bareLineEndings, "bareLineEndings");
    }

    @Override
    public byte[] receivedHeader() {
      return receivedHeader.clone();
    }

    public MessageContentDecoder decoder() {
      return new MessageContentDecoder(maxMessageSize, maxTextLine, bareLineEndings);
    }

    /** Where the content's header section is kept for the end-of-DATA rules (bounded). */
    public HeaderCapture headerCapture() {
      return new HeaderCapture(HeaderCapture.DEFAULT_LIMIT);
    }
  }

  /**
   * The spool transaction for a message sent in BDAT chunks is open: write {@code receivedHeader}
   * to the spool first, then pass every kept chunk octet to the spool unchanged, through one
   * {@link ChunkContentDecoder} and one {@link HeaderCapture} for the whole message (a header
   * section may span chunks).
   */
  record BeginChunks(byte[] receivedHeader, int maxTextLine) implements Effect {
    public BeginChunks {
      receivedHeader = receivedHeader.clone();
    }

    @Override
    public byte[] receivedHeader() {
      return receivedHeader.clone();
    }

    public ChunkContentDecoder decoder() {
      return new ChunkContentDecoder(maxTextLine);
    }

    /** Where the content's header section is kept for the rules at BDAT LAST (bounded). */
    public HeaderCapture headerCapture() {
      return new HeaderCapture(HeaderCapture.DEFAULT_LIMIT);
    }
  }

  /**
   * Read exactly {@code size} octets, however they arrive, and nothing more: they are chunk content,
   * never commands. When {@code keep}, they go to the spool as they come (see {@link BeginChunks})
   * and the answer is {@link SmtpSession#chunkReceived} (with the captured header section when
   * {@code last}); otherwise they are dropped and the answer is {@link SmtpSession#chunkSkipped}.
   * A chunk of zero octets is answered at once.
   */
  record ReceiveChunk(long size, boolean keep, boolean last) implements Effect {
    public ReceiveChunk {
      if (size < 0) {
        throw new IllegalArgumentException("negative chunk size");
      }
    }
  }

  /**
   * Discard the open spool transaction: the message was refused at its end, or the client dropped
   * the chunks it had sent (RSET, EHLO, a refused chunk).
   */
  record AbandonMessage() implements Effect {}

  /**
   * Commit the spool transaction as these parts (one spool entry each, all or nothing);
   * {@code envelope} is the message as received. Answer with {@link SmtpSession#committed} or
   * {@link SmtpSession#commitFailed}.
   */
  record Commit(Envelope envelope, List<SpoolPart> parts) implements Effect {
    public Commit {
      Objects.requireNonNull(envelope, "envelope");
      parts = List.copyOf(parts);
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("a commit needs at least one part");
      }
    }

    /** The whole message as one part, its connector left to the runtime. */
    public Commit(Envelope envelope) {
      this(envelope, List.of(SpoolPart.whole(envelope)));
    }
  }

  /** Write this event to the message-tracking log (and count its rule hits). */
  record Track(TrackingEvent event) implements Effect {
    public Track {
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * Install TLS (the 220 reply goes out in plain text first), discard any bytes the client pipelined
   * after STARTTLS, and answer with {@link SmtpSession#tlsEstablished} once the handshake is done.
   */
  record UpgradeTls() implements Effect {}

  /**
   * Flush the replies and close the connection; the session accepts no more input. A message still
   * open in the spool (part-way through DATA or its chunks) goes with the connection.
   */
  record Close() implements Effect {}
}
