package relay.server.main;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import relay.core.metrics.ConnectorQueue;
import relay.core.metrics.QueueCensus;
import relay.server.admin.IntakeOperations;
import relay.server.admin.IntakeReport;
import relay.server.inbound.IntakeState;
import relay.server.inbound.IntakeSwitch;

/**
 * The admin API's view of the node's intake: the {@link IntakeSwitch} (the one home of the drained
 * state) and a fresh census of the queue. Thread-safe.
 */
final class IntakeDesk implements IntakeOperations {

  private final IntakeSwitch intake;
  private final QueueCensus census;
  private final BooleanSupplier recovered;

  /** @param recovered whether the start-up walk of the spool has finished */
  IntakeDesk(IntakeSwitch intake, QueueCensus census, BooleanSupplier recovered) {
    this.intake = intake;
    this.census = census;
    this.recovered = recovered;
  }

  @Override
  public IntakeReport report() {
    List<IntakeReport.Waiting> waiting = new ArrayList<>();
    long deliverable = 0;
    long held = 0;
    // A census of its own, not the metrics' reused one: 'relay drain --wait' should see the last
    // message leave when it leaves, not up to ten seconds later. A census reads no message file.
    for (ConnectorQueue c : census.take().values()) {
      if (c.active() + c.deferred() + c.held() > 0) {
        waiting.add(new IntakeReport.Waiting(c.connector(), c.active(), c.deferred(), c.held()));
        deliverable += c.active() + c.deferred();
        held += c.held();
      }
    }
    boolean recovering = !recovered.getAsBoolean();
    return switch (intake.current()) {
      case IntakeState.Accepting a -> new IntakeReport(true, null, null, deliverable, held, recovering, waiting);
      case IntakeState.Drained d -> new IntakeReport(false, d.since(), d.by(), deliverable, held, recovering, waiting);
    };
  }

  @Override
  public boolean drain(String by) throws IOException {
    return intake.drain(by);
  }

  @Override
  public boolean accept(String by) throws IOException {
    return intake.accept(by);
  }
}
