package io.cxrpipeline.training;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the {@code training-events} function did with one event (its return value, visible in logs and tests).
 *
 * @param applied whether the event moved the run (false: duplicate, out of order, or not ours)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingEventOutcome(String runId, String eventStatus, String runStatus, boolean applied,
        String modelVersion, Boolean promoted, String note) {

    static TrainingEventOutcome ignored(String runId, String eventStatus, String note) {
        return new TrainingEventOutcome(runId, eventStatus, null, false, null, null, note);
    }
}
