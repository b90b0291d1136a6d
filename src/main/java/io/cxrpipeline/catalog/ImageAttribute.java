package io.cxrpipeline.catalog;

import io.cxrpipeline.catalog.aws.ImageItems;

/**
 * The attributes of an image item that a reader may ask {@link ImageCatalog} for. Readers name only what they
 * use, so that the adapter can project them and a stream of a million items stays small on the wire.
 */
public enum ImageAttribute {
    IMAGE_ID(ImageItems.IMAGE_ID),
    KEY(ImageItems.KEY),
    LABEL(ImageItems.LABEL),
    SUBTYPE(ImageItems.SUBTYPE),
    PATIENT(ImageItems.PATIENT),
    ORIGINAL_SPLIT(ImageItems.ORIGINAL_SPLIT),
    FORMAT(ImageItems.FORMAT),
    WIDTH(ImageItems.WIDTH),
    HEIGHT(ImageItems.HEIGHT),
    CHANNELS(ImageItems.CHANNELS),
    BIT_DEPTH(ImageItems.BIT_DEPTH),
    SIZE_BYTES(ImageItems.SIZE_BYTES),
    CONTENT_ID(ImageItems.CONTENT_ID),
    STATUS(ImageItems.STATUS),
    REASON(ImageItems.REASON),
    DUPLICATE_OF(ImageItems.DUPLICATE_OF),
    SEQUENCER(ImageItems.SEQUENCER),
    UPDATED_AT(ImageItems.UPDATED_AT),
    STUDY(ImageItems.STUDY),
    VIEW(ImageItems.VIEW),
    PHI(ImageItems.PHI),
    SOP_INSTANCE_UID(ImageItems.SOP_INSTANCE_UID);

    private final String attributeName;

    ImageAttribute(String attributeName) {
        this.attributeName = attributeName;
    }

    /** The item attribute's name in the table. */
    public String attributeName() {
        return attributeName;
    }
}
