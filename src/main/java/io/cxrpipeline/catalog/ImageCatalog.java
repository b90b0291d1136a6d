package io.cxrpipeline.catalog;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import io.cxrpipeline.common.InfrastructureException;

/**
 * Read side of the image index: exact counts and full streams of a dataset's images, partition by
 * partition, never by scanning the table.
 *
 * <p>Counts and streams come from the index items themselves (one item per object, upserted idempotently),
 * so a redelivered upload event can never be counted twice. They read a secondary index and are
 * eventually consistent: an image written a moment ago may be missing, and one whose class or status
 * changes during the read may be seen in its old and its new partition; readers that must not count an image
 * twice de-duplicate by {@code imageId}.
 *
 * <p>Implementations translate storage failures into {@link InfrastructureException}.
 */
public interface ImageCatalog {

    /**
     * Exact number of INDEXED images of one class in a dataset.
     *
     * @param dataset the dataset name (first path segment under {@code images/})
     * @param label   a class name in the spelling of {@code cxr.catalog.classes}
     */
    long countIndexed(String dataset, String label);

    /**
     * Exact number of objects of a dataset with a non-data status.
     *
     * @param status {@link ImageStatus#REJECTED}, {@link ImageStatus#DUPLICATE} or {@link ImageStatus#CONFLICT}
     *               (DELETED tombstones are not listed by the index)
     */
    long countWithStatus(String dataset, ImageStatus status);

    /**
     * Objects of a dataset with a non-data status, whole records, sorted by image id, at most {@code limit}.
     *
     * @param status as for {@link #countWithStatus}
     */
    List<ImageRecord> listWithStatus(String dataset, ImageStatus status, int limit);

    /**
     * Streams every INDEXED image of the given classes to {@code sink}, in no particular order.
     *
     * <p>Only the requested attributes are read; the returned records always carry {@code dataset},
     * {@code imageId}, {@code label} and {@code status}, and hold null (or 0) in the attributes not asked for.
     * The sink is called on the calling thread, one record at a time; the implementation reads partitions in
     * parallel but holds only a bounded number of pages in memory.
     *
     * @param dataset    the dataset name
     * @param labels     the classes to stream
     * @param attributes the attributes the caller needs
     * @param sink       receives each image
     */
    void streamIndexed(String dataset, List<String> labels, Set<ImageAttribute> attributes,
            Consumer<ImageRecord> sink);
}
