package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class KeyRulesTest {

    private final KeyRules rules = KeyRules.defaults();

    @Test
    void kaggleKeyGivesDatasetClassSplitSubtypeAndPatient() {
        KeyRules.Location loc = rules.locate("images/chest_xray/train/PNEUMONIA/person1_bacteria_1.jpeg");
        assertEquals(new KeyRules.Location("chest_xray", "train/PNEUMONIA/person1_bacteria_1.jpeg"), loc);
        assertEquals(new KeyRules.Facts("PNEUMONIA", "bacteria", "person1", "train", null),
                rules.derive(loc.imageId(), Map.of()));
        assertEquals(new KeyRules.Facts("PNEUMONIA", "virus", "person1400", "test", null),
                rules.derive("test/PNEUMONIA/person1400_virus_2404.jpeg", Map.of()));
    }

    @Test
    void normalImageHasNoSubtypeAndIsItsOwnGroup() {
        assertEquals(new KeyRules.Facts("NORMAL", null, null, "val", null),
                rules.derive("val/NORMAL/NORMAL2-IM-1427-0001.jpeg", Map.of()));
    }

    @Test
    void classFolderMatchesCaseInsensitivelyAndSplitIsOptional() {
        assertEquals(new KeyRules.Facts("PNEUMONIA", null, null, null, null),
                rules.derive("pneumonia/img 1.png", Map.of()));
        assertEquals("train", rules.derive("Train/Normal/a.jpeg", Map.of()).originalSplit());
        assertEquals("NORMAL", rules.derive("Train/Normal/a.jpeg", Map.of()).label());
    }

    @Test
    void unknownClassFolderIsNamedInTheRejection() {
        KeyRules.Facts f = rules.derive("train/COVID/x.jpeg", Map.of());
        assertNull(f.label());
        assertEquals("unknown class 'COVID'", f.rejection());
        assertEquals(Reasons.NO_CLASS_FOLDER, rules.derive("x.jpeg", Map.of()).rejection());
        assertEquals(Reasons.NO_CLASS_FOLDER, rules.derive("train/x.jpeg", Map.of()).rejection());
    }

    @Test
    void metadataOverridesTheKey() {
        KeyRules.Facts f = rules.derive("train/unsorted/scan-17.jpeg",
                Map.of("class", "normal", "patient-id", "p-0042", "subtype", "Virus"));
        assertEquals(new KeyRules.Facts("NORMAL", "virus", "p-0042", "train", null), f);
        assertEquals("unknown class 'COVID'",
                rules.derive("train/NORMAL/a.jpeg", Map.of("Class", "COVID")).rejection());
    }

    @Test
    void keysThatAreNoDatasetImageAreIgnoredWithAReason() {
        assertNull(rules.locate("manifests/chest_xray/x.jsonl"));
        assertEquals("outside images/", rules.whyIgnored("manifests/chest_xray/x.jsonl"));
        assertEquals("folder marker", rules.whyIgnored("images/chest_xray/train/"));
        assertEquals("not in a dataset folder", rules.whyIgnored("images/loose.jpeg"));
        assertEquals("dataset name contains '#'", rules.whyIgnored("images/a#b/NORMAL/x.jpeg"));
    }

    @Test
    void rulesAreConfigurable() {
        KeyRules custom = new KeyRules("uploads", List.of("healthy", "sick"), List.of("fold1"),
                Pattern.compile("(?i)(covid)"), Pattern.compile("pt-(\\d+)"), "label", "patient", "kind");
        assertEquals("uploads/", custom.prefix());
        assertEquals(new KeyRules.Facts("sick", "covid", "77", "fold1", null),
                custom.derive("fold1/SICK/pt-77-COVID.png", Map.of()));
    }
}
