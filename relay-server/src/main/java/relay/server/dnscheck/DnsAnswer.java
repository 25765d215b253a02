package relay.server.dnscheck;

import java.util.List;
import org.xbill.DNS.Record;

/**
 * What DNS said to one question. The four cases are kept apart because they mean different things
 * to a diagnosis: NXDOMAIN and NODATA are facts about the zone (a record is missing), while a
 * failure (SERVFAIL, REFUSED, a timeout) says nothing about the zone, only that it could not be
 * asked. Immutable.
 */
sealed interface DnsAnswer {

  /** NOERROR with at least one record of the asked type. */
  record Found(List<Record> records) implements DnsAnswer {
    public Found {
      records = List.copyOf(records);
    }
  }

  /** NXDOMAIN: the name does not exist at all. */
  record NoSuchName() implements DnsAnswer {}

  /** NOERROR without a record of the asked type (NODATA): the name exists, the record does not. */
  record NoData() implements DnsAnswer {}

  /**
   * No usable answer: an error code other than NXDOMAIN (then {@code answered}), or a timeout or an
   * I/O failure (no server answered at all).
   */
  record Failed(String problem, boolean answered) implements DnsAnswer {}

  /** The records found, or none for every other case. */
  default List<Record> records() {
    return this instanceof Found found ? found.records() : List.of();
  }

  /** How the absence or failure reads in a report ("NXDOMAIN", "no record (NODATA)", the problem). */
  default String describe() {
    return switch (this) {
      case Found f -> f.records().size() + " record(s)";
      case NoSuchName n -> "NXDOMAIN (the name does not exist)";
      case NoData n -> "no record of that type (NODATA)";
      case Failed f -> "lookup failed: " + f.problem();
    };
  }
}
