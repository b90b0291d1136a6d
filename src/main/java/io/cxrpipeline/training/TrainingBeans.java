package io.cxrpipeline.training;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.training.aws.BatchTrainingJobs;
import io.cxrpipeline.training.aws.DynamoModelVersions;
import io.cxrpipeline.training.aws.DynamoTrainingRuns;
import io.cxrpipeline.training.aws.S3RunArtifacts;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Wires the plain-Java training services to AWS Batch, the table and the bucket. */
@ApplicationScoped
public class TrainingBeans {

    @Produces
    @Singleton
    TrainingJobs trainingJobs(BatchClient batch, TrainingConfig config) {
        return new BatchTrainingJobs(batch, config);
    }

    @Produces
    @Singleton
    TrainingRuns trainingRuns(DynamoDbClient dynamo, PipelineConfig pipeline, ObjectMapper mapper) {
        return new DynamoTrainingRuns(dynamo, pipeline, mapper);
    }

    @Produces
    @Singleton
    ModelVersions modelVersions(DynamoDbClient dynamo, PipelineConfig pipeline, ObjectMapper mapper) {
        return new DynamoModelVersions(dynamo, pipeline, mapper);
    }

    @Produces
    @Singleton
    RunArtifacts runArtifacts(S3Client s3) {
        return new S3RunArtifacts(s3);
    }

    @Produces
    @Singleton
    EvaluationSets evaluationSets(TrainingRuns runs, ModelVersions versions, RunArtifacts artifacts,
            ObjectMapper mapper) {
        return new EvaluationSets(runs, versions, artifacts, mapper, java.time.Clock.systemUTC());
    }

    @Produces
    @Singleton
    TrainingRunService trainingRunService(TrainingRuns runs, TrainingJobs jobs, TrainingConfig config,
            PipelineConfig pipeline, ObjectMapper mapper, EvaluationSets evaluation) {
        return new TrainingRunService(runs, jobs, config, pipeline, mapper, evaluation);
    }

    @Produces
    @Singleton
    TrainingEventService trainingEventService(TrainingRuns runs, ModelVersions versions, RunArtifacts artifacts,
            TrainingConfig config, ObjectMapper mapper) {
        return new TrainingEventService(runs, versions, artifacts, config, mapper);
    }
}
