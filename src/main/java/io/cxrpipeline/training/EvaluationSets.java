package io.cxrpipeline.training;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.NotFoundException;

/**
 * The datasets' evaluation manifests: pins one, keeps runs whose training data overlap it out (same image, same
 * content under another name, or same patient: the grouping the splits use), and tells each run's job where the
 * evaluation images and the promoted model's scores on them are ({@code CXR_EVAL_MANIFEST},
 * {@code CXR_CHAMPION_OUTPUT}, {@code CXR_CHAMPION_VERSION}). The job checks identical decoded pixels too, which also
 * covers manifests written elsewhere, without the {@code content} field.
 */
public class EvaluationSets {

    private static final int EXAMPLES = 3;

    private final TrainingRuns runs;
    private final ModelVersions registry;
    private final RunArtifacts artifacts;
    private final ObjectMapper mapper;
    private final Clock clock;

    public EvaluationSets(TrainingRuns runs, ModelVersions registry, RunArtifacts artifacts, ObjectMapper mapper,
            Clock clock) {
        this.runs = runs;
        this.registry = registry;
        this.artifacts = artifacts;
        this.mapper = mapper;
        this.clock = clock;
    }

    /**
     * Pins a dataset's evaluation manifest: a split's test manifest, or a manifest URI.
     *
     * @throws InvalidInputException naming the field; NotFoundException for an unknown split or manifest
     */
    public EvaluationSet pin(String dataset, EvaluationSetRequest request) {
        if (request == null || (request.splitId() == null) == (request.manifestUri() == null)) {
            throw new InvalidInputException("splitId", "give either splitId (its test manifest is pinned) or "
                    + "manifestUri");
        }
        String uri;
        if (request.splitId() != null) {
            TrainingRuns.SplitRef split = runs.findSplit(dataset, request.splitId()).orElseThrow(
                    () -> new NotFoundException("dataset '" + dataset + "' has no split '" + request.splitId() + "'"));
            String prefix = split.manifestPrefix().endsWith("/") ? split.manifestPrefix() : split.manifestPrefix() + "/";
            uri = prefix + "test.jsonl";
        } else {
            uri = request.manifestUri();
            if (!uri.startsWith("s3://") || uri.indexOf('/', 5) < 0) {
                throw new InvalidInputException("manifestUri", "manifestUri must be an s3://bucket/key URI");
            }
        }
        int images = forEach(uri, request.splitId() != null ? "splitId" : "manifestUri", e -> { });
        EvaluationSet set = new EvaluationSet(dataset, uri, request.splitId(), images, Times.iso(clock.instant()));
        runs.pinEvaluationSet(set);
        return set;
    }

    public Optional<EvaluationSet> find(String dataset) {
        return runs.findEvaluationSet(dataset);
    }

    /**
     * Refuses training data that share an image, a content (the manifests' {@code content} hash) or a patient with the
     * dataset's evaluation manifest.
     *
     * @return the pinned evaluation set the data were checked against (read once, so the job is evaluated on the
     *         manifest that was checked); empty when the dataset has none
     * @throws InvalidInputException (field splitId) naming the overlap
     */
    public Optional<EvaluationSet> checkLeakage(String dataset, String splitId, Map<String, String> trainingManifests) {
        Optional<EvaluationSet> set = runs.findEvaluationSet(dataset);
        if (set.isEmpty()) {
            return set;
        }
        Set<String> refs = new LinkedHashSet<>();
        Set<String> patients = new LinkedHashSet<>();
        Map<String, String> contents = new java.util.HashMap<>();
        forEach(set.get().manifestUri(), "splitId", e -> {
            refs.add(e.ref());
            if (e.patient() != null) {
                patients.add(e.patient());
            }
            if (e.content() != null) {
                contents.putIfAbsent(e.content(), e.ref());
            }
        });
        List<String> problems = new java.util.ArrayList<>();
        for (Map.Entry<String, String> m : trainingManifests.entrySet()) {
            Set<String> sameRefs = new TreeSet<>();
            Set<String> samePatients = new TreeSet<>();
            Set<String> sameContents = new TreeSet<>();
            forEach(m.getValue(), "splitId", e -> {
                if (refs.contains(e.ref())) {
                    sameRefs.add(e.ref());
                } else if (e.content() != null && contents.containsKey(e.content())) {
                    sameContents.add(e.ref() + " = " + contents.get(e.content()));
                }
                if (e.patient() != null && patients.contains(e.patient())) {
                    samePatients.add(e.patient());
                }
            });
            if (!sameRefs.isEmpty()) {
                problems.add(sameRefs.size() + " " + m.getKey() + " image(s) (e.g. " + examples(sameRefs) + ")");
            }
            if (!sameContents.isEmpty()) {
                problems.add(sameContents.size() + " " + m.getKey() + " image(s) with the content of an evaluation "
                        + "image (e.g. " + examples(sameContents) + ")");
            }
            if (!samePatients.isEmpty()) {
                problems.add(samePatients.size() + " " + m.getKey() + " patient(s) (e.g. " + examples(samePatients)
                        + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("splitId", "split '" + splitId + "' overlaps the evaluation manifest "
                    + set.get().manifestUri() + " of dataset '" + dataset + "': " + String.join(", ", problems)
                    + "; a model trained on evaluation images cannot be evaluated on them");
        }
        return set;
    }

    /** The job's environment for paired evaluation; empty when the dataset has no evaluation manifest. */
    public Map<String, String> environment(String dataset) {
        return environment(runs.findEvaluationSet(dataset));
    }

    /** The job's environment for paired evaluation on an already read evaluation set; empty for none. */
    public Map<String, String> environment(Optional<EvaluationSet> pinned) {
        Map<String, String> env = new LinkedHashMap<>();
        pinned.ifPresent(set -> {
            env.put("CXR_EVAL_MANIFEST", set.manifestUri());
            registry.promoted().ifPresent(p -> {
                String uri = p.modelUri();
                int slash = uri.lastIndexOf('/');
                env.put("CXR_CHAMPION_OUTPUT", slash >= 0 ? uri.substring(0, slash + 1) : uri);
                env.put("CXR_CHAMPION_VERSION", p.version());
            });
        });
        return env;
    }

    /** A manifest line: the image, its patient, and its content hash (the split writer's {@code content}). */
    private record Entry(String ref, String patient, String content) {
    }

    /**
     * Streams a manifest's entries (a train manifest can be hundreds of MB: never held whole).
     *
     * @return the number of entries
     * @throws NotFoundException     when there is no manifest at {@code uri}
     * @throws InvalidInputException (naming {@code field}) for a line without source-ref, not JSON, or no entries
     */
    private int forEach(String uri, String field, Consumer<Entry> entry) {
        int[] line = {0};
        int[] entries = {0};
        boolean found = artifacts.lines(uri, row -> {
            line[0]++;
            if (row.isBlank()) {
                return;
            }
            JsonNode node;
            try {
                node = mapper.readTree(row);
            } catch (JsonProcessingException e) {
                throw new InvalidInputException(field, uri + " line " + line[0] + " is not JSON");
            }
            String ref = node.path("source-ref").asText(null);
            if (ref == null || ref.isEmpty()) {
                throw new InvalidInputException(field, uri + " line " + line[0] + " has no source-ref");
            }
            entries[0]++;
            entry.accept(new Entry(ref, text(node.path("patient")), text(node.path("content"))));
        });
        if (!found) {
            throw new NotFoundException("no manifest at " + uri);
        }
        if (entries[0] == 0) {
            throw new InvalidInputException(field, uri + " has no entries");
        }
        return entries[0];
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    private static String examples(Set<String> values) {
        return String.join(", ", values.stream().limit(EXAMPLES).toList());
    }
}
