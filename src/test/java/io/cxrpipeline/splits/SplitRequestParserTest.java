package io.cxrpipeline.splits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.cxrpipeline.common.InvalidInputException;

class SplitRequestParserTest {

    private final SplitRequestParser parser = new SplitRequestParser(42, 1000);

    private SplitParameters parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyBodyAsksForTheDefaults() {
        assertEquals(SplitParameters.defaults(42), parse(""));
        assertEquals(SplitParameters.defaults(42), parse("{}"));
    }

    @Test
    void everyFieldIsRead() {
        SplitParameters p = parse("{\"ratios\":{\"train\":0.7,\"val\":0.15,\"test\":0.15},\"seed\":-7,"
                + "\"stratify\":\"class+subtype\",\"groupByPatient\":false,\"groupByContent\":true,"
                + "\"balance\":\"undersample\",\"evalBalance\":\"oversample\",\"target\":\"mean\"}");
        assertEquals(new SplitParameters(0.7, 0.15, 0.15, -7, SplitParameters.Stratify.CLASS_SUBTYPE, false, true,
                SplitParameters.Balance.UNDERSAMPLE, SplitParameters.Balance.OVERSAMPLE, SplitParameters.Target.MEAN),
                p);
        assertEquals(SplitParameters.Target.count(500), parse("{\"target\":500}").target());
        assertNull(parse("{\"target\":null}").target());
    }

    @Test
    void viewsAndExcludePhiFilterImagesAndEnterTheCanonicalFormOnlyWhenGiven() {
        SplitParameters p = parse("{\"views\":[\"pa\",\"AP\",\"PA\"],\"excludePhi\":true}");
        assertEquals(java.util.List.of("AP", "PA"), p.views());
        assertTrue(p.excludePhi());
        assertEquals(java.util.Map.of("views", java.util.List.of("AP", "PA"), "excludePhi", true),
                p.canonical().get("filter"));
        assertTrue(p.admits("PA", false));
        assertTrue(p.admits("ap", false));
        assertFalse(p.admits("LL", false));
        assertFalse(p.admits(null, false), "no view: excluded when views are given");
        assertFalse(p.admits("PA", true), "PHI excluded");
        assertFalse(SplitParameters.defaults(42).canonical().containsKey("filter"), "no filter: the id is unchanged");
        assertTrue(SplitParameters.defaults(42).admits(null, true));
        assertEquals(parse("{\"views\":[\"AP\",\"PA\"]}").canonical(), parse("{\"views\":[\"pa\",\"ap\"]}").canonical());
    }

    @ParameterizedTest(name = "{0} -> field {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"ratios\":{\"train\":-0.2,\"val\":0.6,\"test\":0.6}}|ratios.train|greater than 0",
        "{\"ratios\":{\"train\":0.8,\"val\":0,\"test\":0.2}}|ratios.val|greater than 0",
        "{\"ratios\":{\"train\":0.6,\"val\":0.2,\"test\":0.1}}|ratios|sum to 1",
        "{\"ratios\":{\"train\":0.7,\"val\":0.2,\"test\":0.2}}|ratios|train + val + test = 1.1",
        "{\"ratios\":{\"train\":0.6,\"val\":0.2}}|ratios.test|required",
        "{\"ratios\":{\"train\":0.6,\"val\":0.2,\"test\":\"0.2\"}}|ratios.test|must be a number",
        "{\"ratios\":{\"train\":0.6,\"valid\":0.2,\"test\":0.2}}|ratios.valid|unknown split",
        "{\"ratios\":[0.6,0.2,0.2]}|ratios|must be an object",
        "{\"balance\":\"smote\"}|balance|unknown strategy",
        "{\"balance\":3}|balance|unknown strategy",
        "{\"evalBalance\":\"class-weights\"}|evalBalance|unknown strategy",
        "{\"target\":\"median\"}|target|unknown target",
        "{\"target\":0}|target|between 1 and 1000",
        "{\"target\":1001}|target|between 1 and 1000",
        "{\"target\":2.5}|target|unknown target",
        "{\"seed\":\"42\"}|seed|must be an integer",
        "{\"seed\":4.2}|seed|must be an integer",
        "{\"seed\":true}|seed|must be an integer",
        "{\"seed\":99999999999999999999}|seed|must be an integer",
        "{\"stratify\":\"patient\"}|stratify|unknown stratify",
        "{\"groupByPatient\":\"yes\"}|groupByPatient|true or false",
        "{\"views\":[]}|views|non-empty array",
        "{\"views\":\"PA\"}|views|non-empty array",
        "{\"views\":[\"PA\",3]}|views[1]|DICOM ViewPosition",
        "{\"views\":[\"P/A\"]}|views[0]|DICOM ViewPosition",
        "{\"views\":[\" \"]}|views[0]|DICOM ViewPosition",
        "{\"excludePhi\":1}|excludePhi|true or false",
        "{\"ratio\":{}}|ratio|unknown field",
        "{\"seed\":1,\"seed\":2}|seed|Duplicate field 'seed'",
        "{\"seed\":7} {\"seed\":8}|body|more after the JSON document ends",
        "{\"seed\":7}]|body|more after the JSON document ends",
        "[1,2]|body|must be a JSON object",
        "{\"seed\":|seed|ends inside the JSON document",
    })
    void aBadRequestIsA400NamingTheField(String body, String field, String reason) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse(body));
        assertEquals(io.cxrpipeline.common.DomainException.Kind.INVALID_INPUT, e.kind());
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void ratiosMaySumToOneWithinTheTolerance() {
        assertEquals(0.3333333, parse("{\"ratios\":{\"train\":0.3333334,\"val\":0.3333333,\"test\":0.3333333}}").val());
    }
}
