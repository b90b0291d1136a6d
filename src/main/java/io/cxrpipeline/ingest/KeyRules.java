package io.cxrpipeline.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cxrpipeline.common.DatasetNames;

/**
 * Derives dataset, class, subtype, patient and original split from an object key, with object metadata
 * overriding the key. Defaults fit the Kaggle layout {@code images/<dataset>/[train|val|test/]<CLASS>/<file>}.
 */
public final class KeyRules {

    /** Where an object sits: its dataset and its id within the dataset (the key below the dataset folder). */
    public record Location(String dataset, String imageId) {
    }

    /**
     * What the key (and metadata) say about an image.
     *
     * @param rejection why the object cannot be indexed from its key alone (unknown class…), else null
     */
    public record Facts(String label, String subtype, String patient, String originalSplit, String rejection) {
    }

    private final String prefix;
    private final List<String> classes;
    private final List<String> splitFolders;
    private final Pattern subtypePattern;
    private final Pattern patientPattern;
    private final String classMetadata;
    private final String patientMetadata;
    private final String subtypeMetadata;

    /**
     * @param prefix          the images prefix, e.g. {@code images/}
     * @param classes         known class names, matched case-insensitively, stored in this spelling
     * @param splitFolders    folder names that mark the original split, e.g. train, val, test
     * @param subtypePattern  found in the file name; group 1 (lower-cased) is the subtype
     * @param patientPattern  found in the file name; group 1 is the patient id
     * @param classMetadata   user-metadata name that overrides the class (without {@code x-amz-meta-})
     * @param patientMetadata user-metadata name that overrides the patient
     * @param subtypeMetadata user-metadata name that overrides the subtype
     */
    public KeyRules(String prefix, List<String> classes, List<String> splitFolders, Pattern subtypePattern,
            Pattern patientPattern, String classMetadata, String patientMetadata, String subtypeMetadata) {
        this.prefix = prefix.endsWith("/") || prefix.isEmpty() ? prefix : prefix + "/";
        this.classes = List.copyOf(classes);
        this.splitFolders = splitFolders.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        this.subtypePattern = subtypePattern;
        this.patientPattern = patientPattern;
        this.classMetadata = classMetadata.toLowerCase(Locale.ROOT);
        this.patientMetadata = patientMetadata.toLowerCase(Locale.ROOT);
        this.subtypeMetadata = subtypeMetadata.toLowerCase(Locale.ROOT);
    }

    /** The Kaggle defaults: classes NORMAL and PNEUMONIA, subtypes bacteria/virus, patients {@code personN_}. */
    public static KeyRules defaults() {
        return new KeyRules("images/", List.of("NORMAL", "PNEUMONIA"), List.of("train", "val", "test"),
                Pattern.compile("(?i)(bacteria|virus)"), Pattern.compile("(?i)(person\\d+)_"),
                "class", "patient-id", "subtype");
    }

    public String prefix() {
        return prefix;
    }

    /** The listing prefix of a dataset, e.g. {@code images/chest_xray/}. */
    public String datasetPrefix(String dataset) {
        return prefix + dataset + "/";
    }

    /**
     * Where the key sits, or null when it is no image of a dataset (outside the prefix, a folder marker,
     * directly under the prefix); {@link #whyIgnored(String)} says why.
     */
    public Location locate(String key) {
        return whyIgnored(key) == null ? locateUnchecked(key) : null;
    }

    /** Why {@link #locate(String)} returns null for this key, or null when it does not. */
    public String whyIgnored(String key) {
        if (!key.startsWith(prefix)) {
            return "outside " + prefix;
        }
        if (key.endsWith("/")) {
            return "folder marker";
        }
        String rest = key.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return "not in a dataset folder";
        }
        // The API's one rule for dataset names: a dataset the routes cannot address is not indexed.
        String why = DatasetNames.whyInvalid(rest.substring(0, slash));
        if (why != null) {
            return "dataset name " + why;
        }
        return null;
    }

    private Location locateUnchecked(String key) {
        String rest = key.substring(prefix.length());
        int slash = rest.indexOf('/');
        return new Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    /**
     * Derives the facts of an image.
     *
     * @param imageId  the key below the dataset folder
     * @param metadata the object's user metadata (names without {@code x-amz-meta-}, any case); may be empty
     */
    public Facts derive(String imageId, Map<String, String> metadata) {
        String[] parts = imageId.split("/", -1);
        String fileName = parts[parts.length - 1];
        List<String> folders = new ArrayList<>(List.of(parts).subList(0, parts.length - 1));

        String split = null;
        for (String folder : folders) {
            if (splitFolders.contains(folder.toLowerCase(Locale.ROOT))) {
                split = folder.toLowerCase(Locale.ROOT);
                break;
            }
        }

        String rejection = null;
        String label = null;
        String metaClass = meta(metadata, classMetadata);
        if (metaClass != null) {
            label = knownClass(metaClass);
            if (label == null) {
                rejection = Reasons.unknownClass(metaClass);
            }
        } else if (folders.isEmpty()) {
            rejection = Reasons.NO_CLASS_FOLDER;
        } else {
            String folder = folders.get(folders.size() - 1);
            label = knownClass(folder);
            if (label == null) {
                // A file right inside train/ has a split but no class folder; any other folder is a class we do not know.
                rejection = splitFolders.contains(folder.toLowerCase(Locale.ROOT))
                        ? Reasons.NO_CLASS_FOLDER : Reasons.unknownClass(folder);
            }
        }

        String subtype = meta(metadata, subtypeMetadata);
        if (subtype == null) {
            subtype = group(subtypePattern, fileName);
        }
        subtype = subtype == null ? null : subtype.toLowerCase(Locale.ROOT);
        String patient = meta(metadata, patientMetadata);
        if (patient == null) {
            patient = group(patientPattern, fileName);
        }
        return new Facts(label, subtype, patient, split, rejection);
    }

    private String knownClass(String name) {
        for (String c : classes) {
            if (c.equalsIgnoreCase(name.trim())) {
                return c;
            }
        }
        return null;
    }

    private static String meta(Map<String, String> metadata, String name) {
        if (metadata == null) {
            return null;
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && e.getValue() != null && !e.getValue().isBlank()) {
                return e.getValue().trim();
            }
        }
        return null;
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return null;
        }
        return m.groupCount() >= 1 ? m.group(1) : m.group();
    }
}
