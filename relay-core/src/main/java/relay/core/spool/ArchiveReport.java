package relay.core.spool;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an export or import moved: how many messages, how many of them held, per connector, and
 * what it left alone and why. Immutable.
 *
 * @param moved messages written into the archive (export) or the spool (import)
 * @param held of those, how many wait for an operator's release
 * @param byConnector moved messages per connector ({@code -} for records without one)
 * @param bytes size of the message files moved
 * @param alreadyDone messages an earlier run had moved already (an import run again)
 * @param notes one line per message left alone, with the reason
 */
public record ArchiveReport(int moved, int held, Map<String, Integer> byConnector, long bytes, int alreadyDone,
    List<String> notes) {

  public ArchiveReport {
    byConnector = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byConnector));
    notes = List.copyOf(notes);
  }
}
