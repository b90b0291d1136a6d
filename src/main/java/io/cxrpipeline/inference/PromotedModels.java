package io.cxrpipeline.inference;

import java.util.Optional;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.inference.ModelPointer;

/**
 * Port: the model registry, read-only. The promoted pointer is the item pk {@code MODEL}, sk {@code PROMOTED}
 * with {@code version} and {@code modelUri}; training registers versions and a promotion rewrites the pointer.
 */
public interface PromotedModels {

    /**
     * The promoted model, read consistently (a promotion is visible to the next look).
     *
     * @return empty when no model has been promoted
     * @throws InfrastructureException when the registry cannot be read
     */
    Optional<ModelPointer> promoted();
}
