package io.cxrpipeline.catalog.aws;

import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.TableKeys;

/**
 * Maps {@link ImageRecord} to and from its DynamoDB item: the attribute names, the table keys and the
 * GSI keys ({@link TableKeys}). Writers and readers of the index share it so that they cannot disagree.
 */
public final class ImageItems {

    public static final String DATASET = "dataset";
    public static final String IMAGE_ID = "imageId";
    public static final String KEY = "key";
    public static final String LABEL = "label";
    public static final String SUBTYPE = "subtype";
    public static final String PATIENT = "patient";
    public static final String ORIGINAL_SPLIT = "originalSplit";
    public static final String FORMAT = "format";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String CHANNELS = "channels";
    public static final String BIT_DEPTH = "bitDepth";
    public static final String SIZE_BYTES = "sizeBytes";
    public static final String CONTENT_ID = "contentId";
    public static final String STATUS = "status";
    public static final String REASON = "reason";
    public static final String DUPLICATE_OF = "duplicateOf";
    public static final String SEQUENCER = "sequencer";
    public static final String UPDATED_AT = "updatedAt";
    public static final String STUDY = "study";
    public static final String VIEW = "view";
    /** Present (true) only on images flagged as carrying protected health information. */
    public static final String PHI = "phi";
    public static final String SOP_INSTANCE_UID = "sopInstanceUid";
    /** Revision of an image item, raised by every write; conditional writes compare it. */
    public static final String REV = "rev";
    /** Version of the content group an image's derived status was computed from. */
    public static final String GROUP_VER = "groupVer";
    /** The content id a tombstone released from its group. */
    public static final String RELEASED = "releasedContentId";
    /** Epoch seconds after which DynamoDB's TTL removes a tombstone. */
    public static final String EXPIRES_AT = "expiresAt";
    /** Content group item: the string set of member image ids. */
    public static final String MEMBERS = "members";
    /** Content group item: version counter. */
    public static final String VERSION = "ver";
    /** Sort key of content group items. */
    public static final String CONTENT_SK = "CONTENT";

    private ImageItems() {
    }

    /** The primary key of an image item. */
    public static Map<String, AttributeValue> key(String dataset, String imageId) {
        return Map.of(TableKeys.PK, s(TableKeys.imagePk(dataset, imageId)), TableKeys.SK, s(TableKeys.IMAGE_SK));
    }

    /**
     * The item of a record: table keys, GSI keys (none for DELETED tombstones, which must not be listed),
     * and the record's attributes. Null strings and zero dimensions are left out.
     */
    public static Map<String, AttributeValue> toItem(ImageRecord r, int shards) {
        Map<String, AttributeValue> item = new HashMap<>(key(r.dataset(), r.imageId()));
        put(item, DATASET, r.dataset());
        put(item, IMAGE_ID, r.imageId());
        put(item, KEY, r.key());
        put(item, LABEL, r.label());
        put(item, SUBTYPE, r.subtype());
        put(item, PATIENT, r.patient());
        put(item, ORIGINAL_SPLIT, r.originalSplit());
        put(item, FORMAT, r.format());
        putPositive(item, WIDTH, r.width());
        putPositive(item, HEIGHT, r.height());
        putPositive(item, CHANNELS, r.channels());
        putPositive(item, BIT_DEPTH, r.bitDepth());
        if (r.status() != ImageStatus.DELETED) {
            item.put(SIZE_BYTES, n(r.sizeBytes()));
        }
        put(item, CONTENT_ID, r.contentId());
        put(item, STATUS, r.status().name());
        put(item, REASON, r.reason());
        put(item, DUPLICATE_OF, r.duplicateOf());
        put(item, SEQUENCER, r.sequencer());
        put(item, UPDATED_AT, r.updatedAt());
        put(item, STUDY, r.study());
        put(item, VIEW, r.view());
        if (r.phi()) {
            item.put(PHI, AttributeValue.fromBool(true));
        }
        put(item, SOP_INSTANCE_UID, r.sopInstanceUid());
        item.putAll(gsiKeys(r, shards));
        return item;
    }

    /** The GSI keys of a record: its class shard when INDEXED, its status shard otherwise, none when DELETED. */
    public static Map<String, AttributeValue> gsiKeys(ImageRecord r, int shards) {
        int shard = TableKeys.shard(r.imageId(), shards);
        String pk = switch (r.status()) {
            case INDEXED -> TableKeys.classShardPk(r.dataset(), r.label(), shard);
            case REJECTED, DUPLICATE, CONFLICT -> TableKeys.statusShardPk(r.dataset(), r.status(), shard);
            case DELETED -> null;
        };
        if (pk == null) {
            return Map.of();
        }
        return Map.of(TableKeys.GSI1_PK, s(pk), TableKeys.GSI1_SK, s(TableKeys.groupSk(r)));
    }

    /** The record of an image item. */
    public static ImageRecord fromItem(Map<String, AttributeValue> item) {
        return ImageRecord.builder(str(item, DATASET), str(item, IMAGE_ID)).key(str(item, KEY))
                .label(str(item, LABEL)).subtype(str(item, SUBTYPE)).patient(str(item, PATIENT))
                .originalSplit(str(item, ORIGINAL_SPLIT)).format(str(item, FORMAT))
                .width((int) num(item, WIDTH)).height((int) num(item, HEIGHT)).channels((int) num(item, CHANNELS))
                .bitDepth((int) num(item, BIT_DEPTH)).sizeBytes(num(item, SIZE_BYTES))
                .contentId(str(item, CONTENT_ID))
                .status(ImageStatus.valueOf(str(item, STATUS)), str(item, REASON), str(item, DUPLICATE_OF))
                .sequencer(str(item, SEQUENCER)).updatedAt(str(item, UPDATED_AT)).study(str(item, STUDY))
                .view(str(item, VIEW)).phi(phi(item))
                .sopInstanceUid(str(item, SOP_INSTANCE_UID)).build();
    }

    public static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    public static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static void putPositive(Map<String, AttributeValue> item, String name, int value) {
        if (value > 0) {
            item.put(name, n(value));
        }
    }

    /** Whether a (full or projected) image item carries the PHI flag: the attribute is written only when true. */
    static boolean phi(Map<String, AttributeValue> item) {
        AttributeValue v = item.get(PHI);
        return v != null && Boolean.TRUE.equals(v.bool());
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
