package relay.server.outbound;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import relay.core.connector.UpstreamHost;

/**
 * A tiny authoritative DNS server for tests: UDP on 127.0.0.1, port 0, answering from records
 * added by the test. A name with records answers NOERROR (empty for other types); an unknown name
 * answers NXDOMAIN; a name marked failing answers SERVFAIL; a name marked silent gets no answer.
 * Like an authoritative server it answers a CNAME only to a CNAME question (it does not chase it).
 * Public for the DNS checks' tests in other packages.
 */
public final class TinyDns implements AutoCloseable {

  private final DatagramSocket socket;
  private final Thread loop;
  private final List<Record> records = new CopyOnWriteArrayList<>();
  private final Map<Name, Integer> rcodes = new ConcurrentHashMap<>();
  private final Set<Name> silent = ConcurrentHashMap.newKeySet();
  public final List<String> questions = new CopyOnWriteArrayList<>();

  public TinyDns() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    loop = Thread.ofVirtual().name("tiny-dns").start(this::serve);
  }

  public UpstreamHost address() {
    return new UpstreamHost("127.0.0.1", socket.getLocalPort());
  }

  public TinyDns mx(String domain, int preference, String target) {
    records.add(new MXRecord(name(domain), DClass.IN, 300, preference, name(target)));
    return this;
  }

  public TinyDns a(String host, String address) {
    records.add(new ARecord(name(host), DClass.IN, 300, InetAddress.ofLiteral(address)));
    return this;
  }

  public TinyDns aaaa(String host, String address) {
    records.add(new AAAARecord(name(host), DClass.IN, 300, InetAddress.ofLiteral(address)));
    return this;
  }

  /** A TXT record of one or more character-strings (which SPF and DMARC readers join). */
  public TinyDns txt(String host, String... strings) {
    records.add(new TXTRecord(name(host), DClass.IN, 300, java.util.List.of(strings)));
    return this;
  }

  public TinyDns cname(String host, String target) {
    records.add(new CNAMERecord(name(host), DClass.IN, 300, name(target)));
    return this;
  }

  public TinyDns serverFailure(String host) {
    rcodes.put(name(host), Rcode.SERVFAIL);
    return this;
  }

  public TinyDns silent(String host) {
    silent.add(name(host));
    return this;
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    loop.join();
  }

  private void serve() {
    byte[] buffer = new byte[4096];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        Message answer = answer(query);
        if (answer != null) {
          byte[] wire = answer.toWire(512);
          socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private Message answer(Message query) {
    Record question = query.getQuestion();
    questions.add(question.getName() + " " + Type.string(question.getType()));
    if (silent.contains(question.getName())) {
      return null;
    }
    Message answer = new Message(query.getHeader().getID());
    answer.getHeader().setFlag(Flags.QR);
    answer.getHeader().setFlag(Flags.AA);
    if (query.getHeader().getFlag(Flags.RD)) {
      answer.getHeader().setFlag(Flags.RD);
    }
    answer.addRecord(question, Section.QUESTION);
    Integer rcode = rcodes.get(question.getName());
    List<Record> known = new ArrayList<>(records.stream().filter(r -> r.getName().equals(question.getName())).toList());
    if (rcode != null) {
      answer.getHeader().setRcode(rcode);
    } else if (known.isEmpty()) {
      answer.getHeader().setRcode(Rcode.NXDOMAIN);
    } else {
      known.stream().filter(r -> r.getType() == question.getType()).forEach(r -> answer.addRecord(r, Section.ANSWER));
    }
    return answer;
  }

  private static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
