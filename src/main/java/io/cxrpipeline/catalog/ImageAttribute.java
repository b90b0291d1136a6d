package io.cxrpipeline.catalog;

/**
 * The attributes of an image item that a reader may ask {@link ImageCatalog} for. Readers name only what they
 * use, so that the adapter can project them and a stream of a million items stays small on the wire.
 */
public enum ImageAttribute {
    IMAGE_ID("imageId"),
    KEY("key"),
    LABEL("label"),
    SUBTYPE("subtype"),
    PATIENT("patient"),
    ORIGINAL_SPLIT("originalSplit"),
    FORMAT("format"),
    WIDTH("width"),
    HEIGHT("height"),
    CHANNELS("channels"),
    BIT_DEPTH("bitDepth"),
    SIZE_BYTES("sizeBytes"),
    CONTENT_ID("contentId"),
    STATUS("status"),
    REASON("reason"),
    DUPLICATE_OF("duplicateOf"),
    SEQUENCER("sequencer"),
    UPDATED_AT("updatedAt");

    private final String attributeName;

    ImageAttribute(String attributeName) {
        this.attributeName = attributeName;
    }

    /** The item attribute's name in the table. */
    public String attributeName() {
        return attributeName;
    }
}
