package relay.core.schedule;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import relay.core.delivery.DeliveryRequest;
import relay.core.delivery.RecipientOutcome;
import relay.core.delivery.Transport;
import relay.core.envelope.Recipient;

/**
 * A transport collaborator whose answer per recipient a test sets (and may change between attempts);
 * it records requests and the most attempts it saw under way at once. Thread-safe.
 */
final class ScriptedTransport implements Transport {

  volatile Function<Recipient, RecipientOutcome> answer;
  volatile Runnable duringDelivery = () -> {};
  final List<DeliveryRequest> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger underWay = new AtomicInteger();
  final AtomicInteger mostUnderWay = new AtomicInteger();

  ScriptedTransport(Function<Recipient, RecipientOutcome> answer) {
    this.answer = answer;
  }

  @Override
  public List<RecipientOutcome> deliver(DeliveryRequest request) {
    requests.add(request);
    mostUnderWay.accumulateAndGet(underWay.incrementAndGet(), Math::max);
    try {
      duringDelivery.run();
      return request.recipients().stream().map(answer).toList();
    } finally {
      underWay.decrementAndGet();
    }
  }
}
