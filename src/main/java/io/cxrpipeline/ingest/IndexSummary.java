package io.cxrpipeline.ingest;

import java.util.List;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What {@code index-objects} did with the records of one invocation. */
@RegisterForReflection
public record IndexSummary(int records, Map<IndexOutcome.Outcome, Integer> counts, List<IndexOutcome> outcomes) {
}
