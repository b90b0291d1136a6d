package io.cxrpipeline.splits;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.cxrpipeline.catalog.DatasetNotFoundException;
import io.cxrpipeline.catalog.ImageAttribute;
import io.cxrpipeline.common.UnprocessableException;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.catalog.ImageStatus;

/**
 * Makes and finds splits: streams the index into a {@link CompactIndex}, derives the split id from the index
 * state and the normalised parameters, and, unless that split exists, plans it, writes its manifests,
 * summary and report, and records it. Contents uploaded under several classes (CONFLICT) are in no split; the
 * summary and report list them.
 */
public final class SplitService {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    /** Length of a split id in hex digits (64 bits of the SHA-256). */
    public static final int ID_HEX_DIGITS = 16;

    private final ImageCatalog catalog;
    private final ManifestStore store;
    private final SplitRepository repository;
    private final String bucket;
    private final List<String> classes;
    private final Clock clock;

    /**
     * @param bucket  the bucket the images are in (the manifests' {@code source-ref})
     * @param classes the configured classes, in class-index order
     */
    public SplitService(ImageCatalog catalog, ManifestStore store, SplitRepository repository, String bucket,
            List<String> classes, Clock clock) {
        this.catalog = catalog;
        this.store = store;
        this.repository = repository;
        this.bucket = bucket;
        this.classes = List.copyOf(classes);
        this.clock = clock;
    }

    /** A split and whether this request made it (false: it existed). */
    public record Outcome(StoredSplit split, boolean created) {
    }

    /**
     * Returns the split of the dataset's current index for these parameters, making it if needed.
     *
     * @throws DatasetNotFoundException    when the dataset has no INDEXED image
     * @throws InsufficientGroupsException when a class cannot populate every split
     * @throws IOException                 when the manifests cannot be written
     */
    public Outcome create(String dataset, SplitParameters parameters) throws IOException {
        CompactIndex index = readIndex(dataset, parameters);
        if (index.size() == 0 && parameters.filters()) {
            throw new UnprocessableException("views", "dataset '" + dataset + "' has no indexed images that pass the "
                    + "filter " + parameters.canonical().get("filter"));
        }
        if (index.size() == 0) {
            throw new DatasetNotFoundException(dataset, "dataset '" + dataset + "' has no indexed images");
        }
        String digest = index.digest();
        String splitId = splitId(dataset, parameters, digest);
        Optional<StoredSplit> existing = repository.find(dataset, splitId);
        if (existing.isPresent()) {
            return new Outcome(existing.get(), false);
        }
        SplitPlan plan = SplitPlanner.plan(index, parameters);
        String prefix = prefix(dataset, splitId);
        ManifestWriter.Output output = ManifestWriter.write(plan, store, bucket, dataset, prefix);
        String createdAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        SplitSummary summary = SummaryBuilder.build(splitId, dataset, createdAt, digest, plan, output, store, prefix,
                excluded(dataset));
        String summaryJson = PRETTY.writeValueAsString(summary) + "\n";
        write(prefix + "report.html", ReportHtml.render(summary, PRETTY.writeValueAsString(parameters.canonical())),
                "text/html; charset=utf-8");
        write(prefix + "summary.json", summaryJson, "application/json");
        StoredSplit stored = new StoredSplit(dataset, splitId, store.uri(prefix), createdAt, summaryJson);
        if (repository.saveIfAbsent(stored)) {
            return new Outcome(stored, true);
        }
        // An identical request recorded it first; its manifests are byte-identical, only createdAt differs.
        StoredSplit winner = repository.find(dataset, splitId).orElse(stored);
        write(prefix + "summary.json", winner.summary(), "application/json");
        return new Outcome(winner, false);
    }

    /**
     * A recorded split.
     *
     * @throws SplitNotFoundException when there is none with that id
     */
    public StoredSplit get(String dataset, String splitId) {
        return repository.find(dataset, splitId).orElseThrow(() -> new SplitNotFoundException(dataset, splitId));
    }

    /** The dataset's label conflicts: never in a split, listed in its summary and report. */
    SplitSummary.Excluded excluded(String dataset) {
        long conflicts = catalog.countWithStatus(dataset, ImageStatus.CONFLICT);
        List<SplitSummary.ExcludedImage> images = conflicts == 0 ? List.of()
                : catalog.listWithStatus(dataset, ImageStatus.CONFLICT, SplitSummary.EXCLUDED_LISTED).stream()
                        .map(r -> new SplitSummary.ExcludedImage(r.imageId(), r.key(), r.reason())).toList();
        return new SplitSummary.Excluded(Math.max(conflicts, images.size()), images);
    }

    /** The number of INDEXED images of the dataset in the configured classes (count queries, no stream). */
    public long indexedCount(String dataset) {
        long n = 0;
        for (String label : classes) {
            n += catalog.countIndexed(dataset, label);
        }
        return n;
    }

    /** Streams the dataset's INDEXED images into a compact index. */
    public CompactIndex readIndex(String dataset) {
        return readIndex(dataset, SplitParameters.defaults(0));
    }

    /** Streams the dataset's INDEXED images that pass the parameters' view and PHI filter into a compact index. */
    public CompactIndex readIndex(String dataset, SplitParameters parameters) {
        CompactIndex.Builder builder = CompactIndex.builder(classes);
        EnumSet<ImageAttribute> attributes = EnumSet.of(ImageAttribute.SUBTYPE, ImageAttribute.PATIENT,
                ImageAttribute.CONTENT_ID);
        if (parameters.filters()) {
            attributes.add(ImageAttribute.VIEW);
            attributes.add(ImageAttribute.PHI);
        }
        catalog.streamIndexed(dataset, classes, attributes, r -> {
            if (parameters.admits(r.view(), r.phi())) {
                builder.add(r.imageId(), r.label(), r.subtype(), r.patient(), r.contentId());
            }
        });
        return builder.build();
    }

    /**
     * The split id: the first {@value #ID_HEX_DIGITS} hex digits of SHA-256 over a canonical JSON of the dataset,
     * bucket, classes, normalised parameters and index digest.
     */
    public String splitId(String dataset, SplitParameters parameters, String indexDigest) {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("dataset", dataset);
        identity.put("bucket", bucket);
        identity.put("classes", classes);
        identity.put("parameters", parameters.canonical());
        identity.put("index", indexDigest);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] hash = sha.digest(MAPPER.writeValueAsBytes(identity));
            return HexFormat.of().formatHex(hash).substring(0, ID_HEX_DIGITS);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key prefix of a split's files. */
    public static String prefix(String dataset, String splitId) {
        return "manifests/" + dataset + "/" + splitId + "/";
    }

    private void write(String key, String text, String contentType) throws IOException {
        try (OutputStream out = store.create(key, contentType)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
