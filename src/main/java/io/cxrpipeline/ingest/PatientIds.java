package io.cxrpipeline.ingest;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a DICOM PatientID into the patient the index stores: HMAC-SHA256 keyed with the deployment's salt
 * ({@code cxr.ingest.patient-id-salt}), so the raw ID is never stored and cannot be recovered by hashing guessed IDs
 * without the salt, while one patient's images still form one leakage group.
 */
public final class PatientIds {

    /** Shortest salt accepted: a short key would let guessed IDs be hashed and matched. */
    public static final int MIN_SALT_LENGTH = 16;

    /** Prefix of hashed patients, which keeps them apart from patients derived from keys or metadata. */
    public static final String PREFIX = "dicom-";

    private final SecretKeySpec key;

    /** A Mac is not thread-safe, and looking one up and keying it per image is waste: one per thread, reused. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    /** @param salt the per-deployment secret; empty: DICOM images that carry a PatientID are REJECTED */
    public PatientIds(Optional<String> salt) {
        String s = salt.filter(v -> !v.isBlank()).orElse(null);
        if (s != null && s.length() < MIN_SALT_LENGTH) {
            throw new IllegalArgumentException("cxr.ingest.patient-id-salt must have at least " + MIN_SALT_LENGTH
                    + " characters");
        }
        this.key = s == null ? null : new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** No salt: DICOM PatientIDs cannot be stored. */
    public static PatientIds none() {
        return new PatientIds(Optional.empty());
    }

    public boolean configured() {
        return key != null;
    }

    /**
     * The stored patient of a PatientID: {@value #PREFIX} and the first 128 bits of the HMAC, in hex.
     *
     * @throws IllegalStateException when no salt is configured
     */
    public String hash(String patientId) {
        if (key == null) {
            throw new IllegalStateException("no patient-ID salt configured");
        }
        // The value's bytes as DICOM stores them (ISO 8859-1 keeps every byte), trimmed of padding. doFinal resets
        // the Mac for the next call.
        byte[] h = macs.get().doFinal(patientId.getBytes(StandardCharsets.ISO_8859_1));
        return PREFIX + HexFormat.of().formatHex(h, 0, 16);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
