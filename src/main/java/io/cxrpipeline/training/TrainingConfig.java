package io.cxrpipeline.training;

import java.net.URI;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Training hand-off: where jobs go (AWS Batch), how the Batch client connects, and the model promotion rule.
 * In AWS the SAM template sets the queue and definition through the environment
 * ({@code CXR_TRAINING_JOB_QUEUE}, {@code CXR_TRAINING_JOB_DEFINITION}).
 */
@ConfigMapping(prefix = "cxr.training")
public interface TrainingConfig {

    /** The AWS Batch job queue (name or ARN) that runs training jobs on GPU instances. */
    @WithDefault("cxr-training")
    String jobQueue();

    /** The AWS Batch job definition (name, name:revision or ARN) of the training container. */
    @WithDefault("cxr-training")
    String jobDefinition();

    /**
     * An endpoint for the Batch API instead of the regional AWS one: a loopback stub in tests, the local
     * stack's Batch emulator. Unset in AWS.
     */
    Optional<URI> batchEndpoint();

    /** The region of the Batch client; unset: the SDK's default chain ({@code AWS_REGION} in Lambda). */
    Optional<String> region();

    /**
     * Static credentials for the Batch client (emulators only: tests and the local stack); unset: the SDK's
     * default chain (the Lambda role in AWS). Used only when the secret key is set too.
     */
    Optional<String> batchAccessKeyId();

    /** The secret of {@link #batchAccessKeyId()}. */
    Optional<String> batchSecretAccessKey();

    /**
     * The network used when a request names none: {@code vgg16} (transfer learning, for GPU jobs) or
     * {@code small} (a small VGG-style net that trains on a CPU; the local stack's choice).
     */
    @WithDefault("vgg16")
    String defaultArch();

    /**
     * The test-set metric a new model must beat to be promoted (higher is better): {@code roc_auc},
     * {@code accuracy}, {@code f1}, {@code sensitivity}, {@code specificity} or {@code precision}.
     */
    @WithDefault("roc_auc")
    String promotionMetric();

    /** The lowest test sensitivity (recall of the positive class) a model may have to be promoted. */
    @WithDefault("0.8")
    double minSensitivity();

    /**
     * The significance of the paired test a new model must pass to replace the promoted one, when both were scored
     * on the dataset's evaluation manifest: the one-sided p-value of "the new model is better" must be below it.
     */
    @WithDefault("0.05")
    double promotionSignificance();

    /**
     * How long a submission may be in flight before a retry with the same client token may take it over
     * (a request that stopped between recording the run and recording the Batch job id).
     */
    @WithDefault("60")
    int submissionLeaseSeconds();
}
