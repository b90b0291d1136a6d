package io.cxrpipeline.catalog;

/** What the index made of an object. Only INDEXED images are data; the others are reported beside. */
public enum ImageStatus {
    /** A readable JPEG or PNG with a known class: part of the dataset. */
    INDEXED,
    /** Not usable; {@code reason} says why. */
    REJECTED,
    /** Same content as an image already indexed in the dataset ({@code duplicateOf}). */
    DUPLICATE,
    /**
     * The canonical image of a content uploaded under more than one class: not data (no split trains on it) until
     * the wrong copies are deleted. Its other copies are DUPLICATEs of it; {@code reason} names the classes.
     */
    CONFLICT,
    /** The object was deleted; kept as a tombstone so that a stale create event cannot bring it back. */
    DELETED
}
