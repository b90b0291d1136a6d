package io.cxrpipeline.training;

import java.net.URI;
import java.util.Optional;

/** A {@link TrainingConfig} with the documented defaults, for plain unit tests. */
final class TestConfigs {

    private TestConfigs() {
    }

    static TrainingConfig training() {
        return new TrainingConfig() {
            @Override
            public String jobQueue() {
                return "cxr-training";
            }

            @Override
            public String jobDefinition() {
                return "cxr-training";
            }

            @Override
            public Optional<URI> batchEndpoint() {
                return Optional.empty();
            }

            @Override
            public Optional<String> region() {
                return Optional.empty();
            }

            @Override
            public Optional<String> batchAccessKeyId() {
                return Optional.empty();
            }

            @Override
            public Optional<String> batchSecretAccessKey() {
                return Optional.empty();
            }

            @Override
            public String defaultArch() {
                return "vgg16";
            }

            @Override
            public String promotionMetric() {
                return "roc_auc";
            }

            @Override
            public double promotionSignificance() {
                return 0.05;
            }

            @Override
            public double minSensitivity() {
                return 0.8;
            }

            @Override
            public int submissionLeaseSeconds() {
                return 60;
            }
        };
    }
}
