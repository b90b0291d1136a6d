package io.cxrpipeline.ingest;

import java.util.Set;
import java.util.SortedSet;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.common.InfrastructureException;

/**
 * The write side of the image index: image items guarded by optimistic concurrency, and content groups
 * (the images of a dataset that hold the same bytes). Every operation is one single-item request, so the
 * index works without multi-item transactions. Implementations map client failures to
 * {@link InfrastructureException}; a condition that does not hold is a normal result, not an exception.
 */
public interface ImageIndex {

    /**
     * An image item with its bookkeeping.
     *
     * @param rev               changes with every write; writers compare it to detect concurrent changes
     * @param groupVer          the content-group version the status was derived from, null when not yet derived
     * @param releasedContentId content whose group this image left and must be pruned from (kept so that a
     *                          redelivered event can finish the work), or null
     */
    record Stored(ImageRecord record, String rev, Long groupVer, String releasedContentId) {
    }

    /**
     * The images of a dataset holding one content, with a version that increases on every change.
     * The canonical image is the first member; the others are its duplicates.
     */
    record ContentGroup(long version, SortedSet<String> members) {
    }

    /** The item of an image (strongly consistent), or null. */
    Stored get(String dataset, String imageId);

    /**
     * Replaces an image item if it is unchanged.
     *
     * @param record            the whole new state
     * @param releasedContentId see {@link Stored#releasedContentId()}
     * @param expiresAt         epoch seconds after which the item may be removed (tombstones), or null
     * @param expectedRev       the rev the writer read, or null when there must be no item
     * @param groupVer          the content-group version the record's status is derived from (see
     *                          {@link Stored#groupVer()}), or null when not derived yet
     * @return the new rev, or null when the item changed since it was read (or exists when none was expected)
     */
    String put(ImageRecord record, String releasedContentId, Long expiresAt, String expectedRev, Long groupVer);

    /**
     * Sets the status, duplicateOf, reason and GSI keys derived from a content group, if the item is still
     * {@code current} and holds no derivation from a newer group version.
     *
     * @param current  the item as read
     * @param derived  {@code current.record()} with the derived fields set
     * @param groupVer the group version they were derived from
     * @return the new rev, or null when the item changed or a newer derivation is there
     */
    String applyDerived(Stored current, ImageRecord derived, long groupVer);

    /** The group of a content (strongly consistent), or null. */
    ContentGroup group(String dataset, String contentId);

    /** Adds an image to a content group (idempotent) and increments the version. */
    ContentGroup addMember(String dataset, String contentId, String imageId);

    /**
     * Removes images from a content group if its version is still {@code expectedVersion}, incrementing it. A group
     * left without members is removed (conditionally, so a concurrent {@link #addMember} wins): no {@code CONTENT#}
     * item outlives the last image holding its content.
     *
     * @return false when the group changed since it was read
     */
    boolean removeMembers(String dataset, String contentId, Set<String> imageIds, long expectedVersion);
}
