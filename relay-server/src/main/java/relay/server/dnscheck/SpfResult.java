package relay.server.dnscheck;

/** The results of SPF's check_host() (RFC 7208 section 2.6). */
enum SpfResult {
  NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR
}
