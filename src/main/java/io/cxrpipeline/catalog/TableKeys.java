package io.cxrpipeline.catalog;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The one-table key layout. Image items are spread over many partitions (one per image) and over
 * {@code shards} GSI partitions per dataset and class, so a bulk upload never funnels into one key.
 *
 * <pre>
 * image          pk IMG#&lt;dataset&gt;#&lt;imageId&gt;        sk IMAGE
 *   gsi1 (INDEXED)   gsi1pk DS#&lt;dataset&gt;#C#&lt;class&gt;#S#&lt;shard&gt;    gsi1sk &lt;group&gt;#&lt;imageId&gt;
 *   gsi1 (others)    gsi1pk DS#&lt;dataset&gt;#X#&lt;status&gt;#S#&lt;shard&gt;   gsi1sk &lt;group&gt;#&lt;imageId&gt;
 *   (DELETED tombstones are not in gsi1)
 * content group  pk CONTENT#&lt;dataset&gt;#&lt;contentId&gt;  sk CONTENT
 * split          pk SPLIT#&lt;dataset&gt;#&lt;splitId&gt;     sk SPLIT
 * training run   pk RUN#&lt;runId&gt;                   sk RUN
 * client token   pk RUNTOKEN#&lt;clientToken&gt;         sk RUNTOKEN
 * model version  pk MODEL                         sk V#&lt;version&gt;
 * promoted model pk MODEL                         sk PROMOTED
 * </pre>
 */
public final class TableKeys {

    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final String GSI1 = "gsi1";
    public static final String GSI1_PK = "gsi1pk";
    public static final String GSI1_SK = "gsi1sk";

    public static final String IMAGE_SK = "IMAGE";
    public static final String SPLIT_SK = "SPLIT";
    public static final String SPLIT_JOB_SK = "SPLITJOB";
    public static final String RUN_SK = "RUN";
    public static final String RUN_TOKEN_SK = "RUNTOKEN";

    private TableKeys() {
    }

    public static String imagePk(String dataset, String imageId) {
        return "IMG#" + dataset + "#" + imageId;
    }

    public static String contentPk(String dataset, String contentId) {
        return "CONTENT#" + dataset + "#" + contentId;
    }

    /** The split item, written by the splits capability and read by training before it submits a run. */
    public static String splitPk(String dataset, String splitId) {
        return "SPLIT#" + dataset + "#" + splitId;
    }

    /** The item of an asynchronous split request. */
    public static String splitJobPk(String dataset, String jobId) {
        return "SPLITJOB#" + dataset + "#" + jobId;
    }

    public static String runPk(String runId) {
        return "RUN#" + runId;
    }

    public static String runTokenPk(String clientToken) {
        return "RUNTOKEN#" + clientToken;
    }

    /** The GSI partition of an indexed image of a class. */
    public static String classShardPk(String dataset, String label, int shard) {
        return "DS#" + dataset + "#C#" + label + "#S#" + shard;
    }

    /** The GSI partition of a REJECTED, DUPLICATE or CONFLICT object. */
    public static String statusShardPk(String dataset, ImageStatus status, int shard) {
        return "DS#" + dataset + "#X#" + status.name() + "#S#" + shard;
    }

    /** Sort key in the GSI: images of one leakage group are contiguous. */
    public static String groupSk(ImageRecord r) {
        return r.group() + "#" + r.imageId();
    }

    /** Stable shard of an image: CRC32 of its id, so every writer agrees without coordination. */
    public static int shard(String imageId, int shards) {
        CRC32 crc = new CRC32();
        crc.update(imageId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shards);
    }
}
