package io.cxrpipeline.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How objects are indexed: the key rules (defaults fit the Kaggle {@code chest_xray} layout), how much of an
 * object is read, the limits, and the reindex pacing. Classes come from {@code cxr.catalog.classes}.
 */
@ConfigMapping(prefix = "cxr.ingest")
public interface IngestConfig {

    /** The key prefix under which datasets live: {@code <prefix><dataset>/…}. */
    @WithDefault("images/")
    String prefix();

    /** Folder names that record the original split (matched case-insensitively, stored lower-case). */
    @WithDefault("train,val,test")
    List<String> splitFolders();

    /** Regular expression searched in the file name; group 1, lower-cased, is the subtype. */
    @WithDefault("(?i)(bacteria|virus)")
    String subtypePattern();

    /** Regular expression searched in the file name; group 1 is the patient id. No match: the image is its own group. */
    @WithDefault("(?i)(person\\d+)_")
    String patientPattern();

    /** User metadata ({@code x-amz-meta-<name>}) that overrides the class folder. */
    @WithDefault("class")
    String classMetadata();

    /** User metadata that overrides the patient derived from the file name. */
    @WithDefault("patient-id")
    String patientMetadata();

    /** User metadata that overrides the subtype derived from the file name. */
    @WithDefault("subtype")
    String subtypeMetadata();

    /**
     * Key of the HMAC-SHA256 that turns a DICOM PatientID into the stored patient (the raw ID is never stored).
     * Secret and fixed for the life of a deployment (changing it splits every patient's images from their earlier
     * ones), at least 16 characters. On AWS: the NoEcho template parameter {@code PatientIdSalt}; the local stack and
     * the tests use a fixed value. Unset: DICOM images that carry a PatientID are REJECTED.
     */
    Optional<String> patientIdSalt();

    /** Bytes of the first ranged GET; the whole object when it is smaller (then no second GET is made). */
    @WithDefault("65536")
    int headBytes();

    /** Bytes of the ranged GET of the object's end that checks for the end marker (JPEG EOI, PNG IEND). */
    @WithDefault("4096")
    int tailBytes();

    /** How far into a JPEG the frame header may lie (after large EXIF/ICC segments) before the object is rejected. */
    @WithDefault("1048576")
    int maxHeaderBytes();

    /** Width × height above which an image is REJECTED, judged from the header alone. */
    @WithDefault("50000000")
    long maxPixels();

    /** How long a DELETED tombstone is kept (DynamoDB TTL on {@code expiresAt}); it rejects late, older events. */
    @WithDefault("P14D")
    Duration tombstoneTtl();

    /** Pacing of {@code POST /datasets/{dataset}/reindex}. */
    Reindex reindex();

    /** One reindex call does a bounded amount of work and returns a continuation token. */
    interface Reindex {

        /** Objects examined per call at most. */
        @WithDefault("1000")
        int maxObjects();

        /** Time one call may spend before it returns (stay under API Gateway's 30 s). */
        @WithDefault("PT20S")
        Duration timeBudget();

        /** Objects examined concurrently. */
        @WithDefault("8")
        int parallelism();
    }
}
