package io.cxrpipeline.training;

import jakarta.inject.Inject;

import io.quarkus.funqy.Funq;

/** The {@code training-events} Lambda: EventBridge "Batch Job State Change" events of training jobs. */
public class TrainingEventsFunction {

    @Inject
    TrainingEventService service;

    @Funq("training-events")
    public TrainingEventOutcome trainingEvents(BatchJobStateChange event) {
        return service.handle(event);
    }
}
