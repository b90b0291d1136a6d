package io.cxrpipeline.catalog;

/** What the index made of an object. Only INDEXED images are data; the others are reported beside. */
public enum ImageStatus {
    /** A readable JPEG or PNG with a known class: part of the dataset. */
    INDEXED,
    /** Not usable; {@code reason} says why. */
    REJECTED,
    /** Same content as an image already indexed in the dataset ({@code duplicateOf}). */
    DUPLICATE,
    /** The object was deleted; kept as a tombstone so that a stale create event cannot bring it back. */
    DELETED
}
