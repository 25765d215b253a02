package relay.server.admin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message in full, for {@code relay queue show}: the listing's entry, the client it came from,
 * and its main header fields as received. Immutable.
 *
 * @param entry the same as a listing shows
 * @param client the client's address
 * @param inboundConnector the inbound connector that admitted it
 * @param headers From, To, Cc, Subject, Message-ID and Date, those present, unfolded
 */
public record MessageDetail(QueueEntry entry, String client, String inboundConnector, Map<String, String> headers) {

  public MessageDetail {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers)); // in the order shown
  }
}
