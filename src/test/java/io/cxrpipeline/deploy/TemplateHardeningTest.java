package io.cxrpipeline.deploy;

import static io.cxrpipeline.deploy.CfnTemplate.getAtt;
import static io.cxrpipeline.deploy.CfnTemplate.list;
import static io.cxrpipeline.deploy.CfnTemplate.map;
import static io.cxrpipeline.deploy.CfnTemplate.ref;
import static io.cxrpipeline.deploy.CfnTemplate.sub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.inference.InferenceConfig;
import io.smallrye.config.WithDefault;

/**
 * template.yaml is hardened: least privilege, names valid for any stack, explicit retention of state, failure
 * handling and alarms, limits, a locked-down Batch environment and a SnapStart-ready predict. Each test fails when
 * its item is taken out of the template.
 */
class TemplateHardeningTest {

    static final CfnTemplate T = CfnTemplate.project();
    static final Set<String> FUNCTIONS = Set.of("IndexObjectsFunction", "ApiFunction", "TrainingEventsFunction",
            "PredictFunction");

    /** The statements that grant a function's role: its own Policies and any AWS::IAM::Policy attached to the role. */
    static List<Map<String, Object>> grants(String function) {
        List<Map<String, Object>> out = new ArrayList<>(CfnTemplate.statements(T.properties(function).get("Policies")));
        T.ofType("AWS::IAM::Policy").forEach((id, r) -> {
            Map<String, Object> p = map(r.get("Properties"));
            if (list(p.get("Roles")).contains(ref(function + "Role"))) {
                out.addAll(CfnTemplate.statements(p.get("PolicyDocument")));
            }
        });
        return out;
    }

    static List<Object> resourcesGranting(String function, String action) {
        List<Object> out = new ArrayList<>();
        for (Map<String, Object> s : grants(function)) {
            if (list(s.get("Action")).contains(action)) {
                out.addAll(list(s.get("Resource")));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ least privilege

    @Test
    void noSamPolicyTemplatesAndNoWildcardActions() {
        for (String f : FUNCTIONS) {
            for (Object p : list(T.properties(f).getOrDefault("Policies", List.of()))) {
                assertTrue(p instanceof Map<?, ?> m && m.keySet().equals(Set.of("Statement")),
                        f + " uses a SAM policy template (e.g. DynamoDBCrudPolicy) instead of explicit actions: " + p);
            }
            for (Map<String, Object> s : grants(f)) {
                for (Object a : list(s.get("Action"))) {
                    assertFalse(a.toString().contains("*"), f + " grants the wildcard action " + a);
                }
            }
        }
    }

    @Test
    void dynamoDbIsGrantedOnTheTableAndQueriesOnTheIndexOnly() {
        Object table = getAtt("IndexTable.Arn");
        Object index = sub("${IndexTable.Arn}/index/" + TableKeys.GSI1);
        for (String f : FUNCTIONS) {
            for (Map<String, Object> s : grants(f)) {
                for (Object a : list(s.get("Action"))) {
                    if (a.toString().startsWith("dynamodb:")) {
                        assertEquals(List.of(a.equals("dynamodb:Query") ? index : table), list(s.get("Resource")),
                                f + " " + a);
                    }
                }
            }
        }
        assertEquals(List.of(index), resourcesGranting("ApiFunction", "dynamodb:Query"));
        // predict reads the promoted pointer only.
        Map<String, Object> predict = grants("PredictFunction").stream()
                .filter(s -> list(s.get("Action")).contains("dynamodb:GetItem")).findFirst().orElseThrow();
        assertEquals(List.of("MODEL"), map(map(predict.get("Condition")).get("ForAllValues:StringEquals"))
                .get("dynamodb:LeadingKeys"));
    }

    @Test
    void predictReadsOnlyTheModelsAndTheConfiguredInputPrefixes() throws Exception {
        List<Object> reads = resourcesGranting("PredictFunction", "s3:GetObject");
        assertEquals(sub("${DataBucket.Arn}/models/*"), reads.get(0));
        assertEquals(sub("${DataBucket.Arn}/training-runs/*/model.onnx"), reads.get(1));
        assertEquals(6, reads.size(), "models, run models and 4 input-prefix slots: " + reads);
        for (int slot = 0; slot < 4; slot++) {
            Object grant = reads.get(2 + slot);
            if (slot > 0) {
                List<Object> branches = list(map(grant).get("Fn::If"));
                assertEquals("HasPredictInputPrefix" + (slot + 1), branches.get(0));
                assertEquals(ref("AWS::NoValue"), branches.get(2));
                Map<String, Object> condition = map(T.section("Conditions").get("HasPredictInputPrefix" + (slot + 1)));
                List<Object> equals = list(map(list(condition.get("Fn::Not")).get(0)).get("Fn::Equals"));
                assertEquals("", equals.get(1));
                assertEquals(List.of(slot, Map.of("Fn::Split", List.of(",", sub("${PredictInputPrefixes},,,")))),
                        map(equals.get(0)).get("Fn::Select"));
                grant = branches.get(1);
            }
            List<Object> s = list(map(grant).get("Fn::Sub"));
            assertEquals("${DataBucket.Arn}/${Prefix}*", s.get(0));
            List<Object> select = list(map(map(s.get(1)).get("Prefix")).get("Fn::Select"));
            assertEquals(slot, ((Number) select.get(0)).intValue());
            assertEquals(Map.of("Fn::Split", List.of(",", ref("PredictInputPrefixes"))), select.get(1));
        }
        Map<String, Object> env = map(map(T.properties("PredictFunction").get("Environment")).get("Variables"));
        assertEquals(ref("PredictInputPrefixes"), env.get(envName("inputPrefixes")));
        String configDefault = InferenceConfig.class.getMethod("inputPrefixes").getAnnotation(WithDefault.class).value();
        assertEquals(configDefault, T.parameter("PredictInputPrefixes").get("Default"));

        Pattern allowed = Pattern.compile((String) T.parameter("PredictInputPrefixes").get("AllowedPattern"));
        for (String ok : List.of("images/", "images/,scans/", "a/,b/,c/,d/", "images/chest_xray/")) {
            assertTrue(allowed.matcher(ok).matches(), ok);
        }
        // More than the 4 slots the policy has, no trailing slash, IAM wildcards, an empty prefix: refused.
        for (String bad : List.of("a/,b/,c/,d/,e/", "images", "images/,scans", "*/", "images/*", "", "/", ",images/")) {
            assertFalse(allowed.matcher(bad).matches(), bad);
        }
    }

    @Test
    void arnsNameThePartition() throws IOException {
        String text = Files.readString(Path.of("template.yaml"));
        assertFalse(Pattern.compile("arn:aws[:-]").matcher(text).find(), "an ARN hard-codes the aws partition");
        assertTrue(text.contains("arn:${AWS::Partition}:iam::aws:policy/service-role/"));
    }

    // ------------------------------------------------------------------ names and state

    /** Evaluates the intrinsic functions a name is made of, for one stack. */
    record Stack(String name, String id, String account, String region) {
        Object eval(Object o) {
            if (o instanceof String s) {
                return s;
            }
            Map<String, Object> f = map(o);
            if (f.containsKey("Ref")) {
                return switch ((String) f.get("Ref")) {
                    case "AWS::StackName" -> name;
                    case "AWS::StackId" -> id;
                    case "AWS::AccountId" -> account;
                    case "AWS::Region" -> region;
                    default -> throw new IllegalArgumentException("not a pseudo parameter: " + f);
                };
            }
            if (f.containsKey("Fn::Join")) {
                List<Object> a = list(f.get("Fn::Join"));
                return String.join((String) a.get(0), list(a.get(1)).stream().map(x -> (String) eval(x)).toList());
            }
            if (f.containsKey("Fn::Split")) {
                List<Object> a = list(f.get("Fn::Split"));
                return List.of(((String) eval(a.get(1))).split(Pattern.quote((String) a.get(0)), -1));
            }
            if (f.containsKey("Fn::Select")) {
                List<Object> a = list(f.get("Fn::Select"));
                return list(eval(a.get(1))).get(((Number) a.get(0)).intValue());
            }
            throw new IllegalArgumentException("cannot evaluate " + f);
        }
    }

    static final List<Stack> STACKS = List.of(
            new Stack("cxr-pipeline", "arn:aws:cloudformation:us-east-1:123456789012:stack/cxr-pipeline/"
                    + "51af3dc0-da77-11e4-872e-1234567db123", "123456789012", "us-east-1"),
            new Stack("My-CXR-Stack-" + "X".repeat(115), "arn:aws-us-gov:cloudformation:ap-southeast-2:210987654321:"
                    + "stack/My-CXR-Stack/ABCDEF01-da77-11e4-872e-1234567db123".toLowerCase(), "210987654321",
                    "ap-southeast-2"));

    @Test
    void bucketAndRepositoryNamesAreValidWhateverTheStackIsCalled() {
        Pattern bucket = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
        Pattern repository = Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
        Object bucketName = T.properties("DataBucket").get("BucketName");
        Object repositoryName = T.properties("TrainingRepository").get("RepositoryName");
        Set<String> names = new HashSet<>();
        for (Stack stack : STACKS) {
            String b = (String) stack.eval(bucketName);
            assertTrue(bucket.matcher(b).matches() && !b.contains("--"), "bucket name " + b);
            String r = (String) stack.eval(repositoryName);
            assertTrue(r.length() <= 256 && repository.matcher(r).matches(), "repository name " + r);
            names.add(b);
        }
        assertEquals(STACKS.size(), names.size(), "two stacks, two bucket names");
        // The functions are told the same name the bucket gets.
        Map<String, Object> env = map(map(map(T.section("Globals").get("Function")).get("Environment")).get("Variables"));
        assertEquals(bucketName, env.get("CXR_BUCKET"));
        // Names that CloudFormation would have to derive from the stack name are left to CloudFormation.
        for (String id : List.of("TrainingJobQueue", "TrainingJobDefinition", "TrainingComputeEnvironment",
                "TrainingLaunchTemplate", "AlarmTopic", "Dashboard")) {
            Map<String, Object> p = T.properties(id);
            p.keySet().stream().filter(k -> k.endsWith("Name") && !k.equals("DisplayName"))
                    .forEach(k -> assertNull(p.get(k), id + "." + k));
        }
    }

    @Test
    void statefulResourcesSayWhatHappensOnDeleteAndReplace() {
        for (String type : List.of("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::ECR::Repository",
                "AWS::SQS::Queue", "AWS::Logs::LogGroup")) {
            assertFalse(T.ofType(type).isEmpty(), type);
            T.ofType(type).forEach((id, r) -> {
                assertNotNull(r.get("DeletionPolicy"), id + " DeletionPolicy");
                assertNotNull(r.get("UpdateReplacePolicy"), id + " UpdateReplacePolicy");
            });
        }
        for (String id : List.of("DataBucket", "IndexTable", "TrainingRepository")) {
            assertEquals("Retain", T.resource(id).get("DeletionPolicy"), id);
            assertEquals("Retain", T.resource(id).get("UpdateReplacePolicy"), id);
        }
        assertEquals(Boolean.TRUE, T.properties("IndexTable").get("DeletionProtectionEnabled"));
        assertTrue(list(map(T.properties("DataBucket").get("LifecycleConfiguration")).get("Rules")).stream()
                .anyMatch(r -> "Enabled".equals(map(r).get("Status")) && map(r).get("AbortIncompleteMultipartUpload")
                        != null), "the bucket aborts incomplete multipart uploads");
    }

    @Test
    void theTrainingRepositoryIsImmutableScannedAndItsImageVersioned() {
        Map<String, Object> repo = T.properties("TrainingRepository");
        assertEquals("IMMUTABLE", repo.get("ImageTagMutability"));
        assertEquals(Boolean.TRUE, map(repo.get("ImageScanningConfiguration")).get("ScanOnPush"));
        assertEquals(Boolean.FALSE, repo.get("EmptyOnDelete"), "the EmptyOnDelete decision is explicit");
        Map<String, Object> tag = T.parameter("TrainingImageTag");
        assertFalse("latest".equals(tag.get("Default")));
        Pattern allowed = Pattern.compile((String) tag.get("AllowedPattern"));
        assertTrue(allowed.matcher("v1").matches() && allowed.matcher("2026.05.1").matches()
                && allowed.matcher("sha256:" + "a".repeat(64)).matches());
        assertFalse(allowed.matcher("sha256:abc").matches() || allowed.matcher("repo:v1").matches());
        Map<String, Object> rule = map(T.section("Rules").get("TrainingImageIsVersioned"));
        assertEquals(Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(ref("TrainingImageTag"), "latest")))),
                map(list(rule.get("Assertions")).get(0)).get("Assert"));
        Map<String, Object> image = map(map(T.properties("TrainingJobDefinition").get("ContainerProperties"))
                .get("Image"));
        assertEquals(List.of("TrainingImageByDigest", sub("${TrainingRepository.RepositoryUri}@${TrainingImageTag}"),
                sub("${TrainingRepository.RepositoryUri}:${TrainingImageTag}")), image.get("Fn::If"));
    }

    // ------------------------------------------------------------------ failure handling and alarms

    @Test
    void aTrainingEventThatCannotBeProcessedIsKept() {
        Map<String, Object> f = T.properties("TrainingEventsFunction");
        Map<String, Object> onFailure = map(map(map(f.get("EventInvokeConfig")).get("DestinationConfig"))
                .get("OnFailure"));
        assertEquals("SQS", onFailure.get("Type"));
        assertEquals(getAtt("TrainingEventsFailureQueue.Arn"), onFailure.get("Destination"));
        Map<String, Object> rule = map(map(map(f.get("Events")).get("BatchJobStateChange")).get("Properties"));
        assertEquals(getAtt("TrainingEventsFailureQueue.Arn"), map(rule.get("DeadLetterConfig")).get("Arn"));
        Map<String, Object> grant = map(list(map(T.properties("TrainingEventsFailureQueuePolicy")
                .get("PolicyDocument")).get("Statement")).get(0));
        assertEquals(Map.of("Service", "events.amazonaws.com"), grant.get("Principal"));
    }

    static void assertAlarm(String id, String namespace, String metric, Map<String, Object> dimension) {
        Map<String, Object> a = T.properties(id);
        assertEquals(namespace, a.get("Namespace"), id);
        assertEquals(metric, a.get("MetricName"), id);
        assertEquals(List.of(dimension), a.get("Dimensions"), id);
        assertEquals("GreaterThanThreshold", a.get("ComparisonOperator"), id);
        assertEquals(0, ((Number) a.get("Threshold")).intValue(), id);
        assertEquals(List.of(ref("AlarmTopic")), a.get("AlarmActions"), id);
    }

    @Test
    void alarmsCoverQueuesFunctionsTheApiAndFailedTrainingJobs() {
        for (String q : List.of("IndexFailureQueue", "TrainingEventsFailureQueue")) {
            assertAlarm(q + "Alarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                    Map.of("Name", "QueueName", "Value", getAtt(q + ".QueueName")));
        }
        for (String f : FUNCTIONS) {
            String base = f.replace("Function", "");
            assertAlarm(base + "ErrorsAlarm", "AWS/Lambda", "Errors", Map.of("Name", "FunctionName", "Value", ref(f)));
            assertAlarm(base + "ThrottlesAlarm", "AWS/Lambda", "Throttles",
                    Map.of("Name", "FunctionName", "Value", ref(f)));
        }
        assertAlarm("Api5xxAlarm", "AWS/ApiGateway", "5xx", Map.of("Name", "ApiId", "Value", ref("HttpApi")));

        Map<String, Object> failed = T.properties("TrainingJobFailedRule");
        Map<String, Object> detail = map(map(failed.get("EventPattern")).get("detail"));
        assertEquals(List.of("FAILED"), detail.get("status"));
        assertEquals(List.of(ref("TrainingJobQueue")), detail.get("jobQueue"));
        assertEquals(ref("AlarmTopic"), map(list(failed.get("Targets")).get(0)).get("Arn"));
        Map<String, Object> publish = map(list(map(T.properties("AlarmTopicPolicy").get("PolicyDocument"))
                .get("Statement")).get(0));
        assertEquals(getAtt("TrainingJobFailedRule.Arn"),
                map(map(publish.get("Condition")).get("ArnEquals")).get("aws:SourceArn"));

        assertEquals("HasAlarmEmail", T.resource("AlarmEmailSubscription").get("Condition"));
        assertEquals(ref("AlarmEmail"), T.properties("AlarmEmailSubscription").get("Endpoint"));
        String dashboard = list(map(T.properties("Dashboard").get("DashboardBody")).get("Fn::Sub")).get(0).toString();
        for (String f : FUNCTIONS) {
            assertTrue(dashboard.contains("${" + f + "}"), "the dashboard shows " + f);
        }
    }

    // ------------------------------------------------------------------ limits

    @Test
    void bulkUploadsCannotStarveTheApiAndTheApiIsThrottledAndAttributed() {
        assertEquals(Map.of("Fn::If", List.of("ReserveIndexConcurrency", ref("IndexObjectsReservedConcurrency"),
                ref("AWS::NoValue"))), T.properties("IndexObjectsFunction").get("ReservedConcurrentExecutions"));
        Map<String, Object> api = T.properties("HttpApi");
        assertEquals(Map.of("ThrottlingRateLimit", ref("ApiThrottlingRateLimit"), "ThrottlingBurstLimit",
                ref("ApiThrottlingBurstLimit")), api.get("DefaultRouteSettings"));
        String format = (String) map(api.get("AccessLogSettings")).get("Format");
        for (String identity : List.of("$context.identity.userArn", "$context.identity.caller",
                "$context.identity.accountId", "$context.identity.sourceIp")) {
            assertTrue(format.contains(identity), "access logs lack " + identity);
        }
    }

    // ------------------------------------------------------------------ Batch

    @Test
    void trainingInstancesRunAl2023NvidiaWithImdsV2AndEncryptedVolumes() {
        Map<String, Object> resources = map(T.properties("TrainingComputeEnvironment").get("ComputeResources"));
        assertEquals(List.of(Map.of("ImageType", "ECS_AL2023_NVIDIA")), resources.get("Ec2Configuration"));
        assertEquals(ref("TrainingLaunchTemplate"), map(resources.get("LaunchTemplate")).get("LaunchTemplateId"));
        Map<String, Object> data = map(T.properties("TrainingLaunchTemplate").get("LaunchTemplateData"));
        assertEquals("required", map(data.get("MetadataOptions")).get("HttpTokens"));
        List<Object> volumes = list(data.get("BlockDeviceMappings"));
        assertFalse(volumes.isEmpty());
        volumes.forEach(v -> assertEquals(Boolean.TRUE, map(map(v).get("Ebs")).get("Encrypted"), v.toString()));
    }

    @Test
    void jobsLogToAGroupWithRetentionAndGetTheConfiguredGpus() {
        Map<String, Object> container = map(T.properties("TrainingJobDefinition").get("ContainerProperties"));
        Map<String, Object> logs = map(container.get("LogConfiguration"));
        assertEquals("awslogs", logs.get("LogDriver"));
        assertEquals(ref("TrainingJobLogs"), map(logs.get("Options")).get("awslogs-group"));
        assertEquals(ref("LogRetentionDays"), T.properties("TrainingJobLogs").get("RetentionInDays"));
        assertTrue(list(container.get("ResourceRequirements")).contains(
                Map.of("Type", "GPU", "Value", ref("TrainingGpuCount"))));
        assertTrue(list(container.get("Environment")).contains(
                Map.of("Name", "CXR_GPUS", "Value", ref("TrainingGpuCount"))));
        assertEquals(1, ((Number) T.parameter("TrainingGpuCount").get("Default")).intValue());
    }

    // ------------------------------------------------------------------ predict cold start

    /** The environment variable SmallRye Config maps to a {@code cxr.inference} property method. */
    static String envName(String method) throws NoSuchMethodException {
        InferenceConfig.class.getMethod(method);
        return "CXR_INFERENCE_" + method.replaceAll("([A-Z])", "_$1").toUpperCase();
    }

    @Test
    void predictIsSnapStartReady() throws Exception {
        Map<String, Object> p = T.properties("PredictFunction");
        assertEquals(Map.of("ApplyOn", "PublishedVersions"), p.get("SnapStart"));
        assertNotNull(p.get("AutoPublishAlias"), "SnapStart serves published versions: the API needs an alias");
        assertTrue(((Number) map(p.get("EphemeralStorage")).get("Size")).intValue() <= 512,
                "SnapStart allows at most 512 MB of ephemeral storage");
        Map<String, Object> env = map(map(p.get("Environment")).get("Variables"));
        assertEquals("true", env.get(envName("modelInMemory")), "the 537 MB model must not go to /tmp");
        assertFalse(env.containsKey("CXR_INFERENCE_CACHE_DIR"));
        assertEquals("java21", p.get("Runtime"));
    }
}
