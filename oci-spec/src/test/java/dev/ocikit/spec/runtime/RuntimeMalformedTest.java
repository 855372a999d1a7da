package dev.ocikit.spec.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.spec.MalformedDocumentException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Broken runtime documents: each must fail with a MalformedDocumentException that says where and why. */
class RuntimeMalformedTest {

    private static final String PROCESS = "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}}";

    private static MalformedDocumentException fails(Function<byte[], ?> parser, String json) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> parser.apply(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(thrown).as("parsing %s", json).isExactlyInstanceOf(MalformedDocumentException.class);
        return (MalformedDocumentException) thrown;
    }

    private static MalformedDocumentException config(String json) {
        MalformedDocumentException e = fails(Spec::parse, json);
        assertThat(e.document()).isEqualTo("runtime config");
        return e;
    }

    private static String withProcess(String process) {
        return "{\"ociVersion\":\"1.2.0\",\"process\":" + process + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.0.0", "0.5.0", "1.4.0", "2.0.0-rc.1"})
    void otherMajorOrNewerMinorVersionsAreRefused(String version) {
        MalformedDocumentException e = config("{\"ociVersion\":\"" + version + "\"," + PROCESS + "}");
        assertThat(e.field()).isEqualTo("/ociVersion");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /ociVersion: unsupported runtime-spec version \""
                + version + "\": ocikit reads versions 1.0.x to 1.3.x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0.0", "1.0.2-dev", "1.1.0+dev", "1.2.1", "1.3.0", "1.3.7-rc.1+build.5"})
    void everyOneDotZeroToOneDotThreeVersionIsAccepted(String version) {
        assertThat(Spec.parse(("{\"ociVersion\":\"" + version + "\"}").getBytes(StandardCharsets.UTF_8)).ociVersion())
                .isEqualTo(version);
    }

    @Test
    void versionThatIsNotSemVerIsRefused() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.0\"}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /ociVersion: \"1.0\" is not a SemVer 2.0.0 "
                + "version (MAJOR.MINOR.PATCH, for example \"1.3.0\")");
    }

    @Test
    void missingOciVersion() {
        MalformedDocumentException e = config("{" + PROCESS + "}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /ociVersion: required field is missing");
    }

    @Test
    void argsNotAnArray() {
        MalformedDocumentException e = config(withProcess("{\"cwd\":\"/\",\"args\":\"sh -c true\"}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/args: expected an array");
    }

    @Test
    void missingCwd() {
        MalformedDocumentException e = config(withProcess("{\"args\":[\"sh\"]}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/cwd: required field is missing");
    }

    @Test
    void negativeUid() {
        MalformedDocumentException e = config(withProcess("{\"cwd\":\"/\",\"user\":{\"uid\":-1,\"gid\":0}}"));
        assertThat(e.getMessage())
                .isEqualTo("invalid runtime config at /process/user/uid: must be between 0 and 4294967295, got -1");
    }

    @Test
    void uidBeyondUint32() {
        MalformedDocumentException e = config(withProcess("{\"cwd\":\"/\",\"user\":{\"uid\":4294967296,\"gid\":0}}"));
        assertThat(e.field()).isEqualTo("/process/user/uid");
        assertThat(e.getMessage()).endsWith("must be between 0 and 4294967295, got 4294967296");
    }

    @Test
    void uidAsAString() {
        MalformedDocumentException e = config(withProcess("{\"cwd\":\"/\",\"user\":{\"uid\":\"0\",\"gid\":0}}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/user/uid: expected an integer");
    }

    @Test
    void userWithoutGid() {
        MalformedDocumentException e = config(withProcess("{\"cwd\":\"/\",\"user\":{\"uid\":0}}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/user/gid: required field is missing");
    }

    @Test
    void additionalGidOutOfRangeNamesItsIndex() {
        MalformedDocumentException e = config(withProcess(
                "{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[1,-5]}}"));
        assertThat(e.field()).isEqualTo("/process/user/additionalGids/1");
    }

    @Test
    void rlimitWithoutType() {
        MalformedDocumentException e = config(withProcess(
                "{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},{\"soft\":1,\"hard\":2}]}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/rlimits/1/type: required field is missing");
    }

    @Test
    void rlimitNegative() {
        MalformedDocumentException e = config(withProcess(
                "{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":-1,\"hard\":1}]}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/rlimits/0/soft: must be an unsigned "
                + "64-bit integer (0 to 18446744073709551615), got -1");
    }

    @Test
    void rlimitBeyondUint64() {
        MalformedDocumentException e = config(withProcess(
                "{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":18446744073709551616}]}"));
        assertThat(e.field()).isEqualTo("/process/rlimits/0/hard");
        assertThat(e.getMessage()).contains("got 18446744073709551616");
    }

    @Test
    void fractionalNumberWhereAnIntegerBelongs() {
        MalformedDocumentException e = config(withProcess("{\"cwd\":\"/\",\"oomScoreAdj\":1.5}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/oomScoreAdj: expected an integer");
    }

    @Test
    void terminalAsAString() {
        MalformedDocumentException e = config(withProcess("{\"cwd\":\"/\",\"terminal\":\"true\"}"));
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /process/terminal: expected a boolean");
    }

    @Test
    void mountsNotAnArray() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.0.2\",\"mounts\":{\"destination\":\"/proc\"}}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /mounts: expected an array");
    }

    @Test
    void mountWithoutDestination() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.0.2\",\"mounts\":[{\"type\":\"proc\"}]}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /mounts/0/destination: required field is missing");
    }

    @Test
    void hookTimeoutMustBePositive() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"hooks\":{\"poststop\":"
                + "[{\"path\":\"/bin/true\",\"timeout\":0}]}}");
        assertThat(e.getMessage())
                .isEqualTo("invalid runtime config at /hooks/poststop/0/timeout: must be greater than zero, got 0");
    }

    @Test
    void namespaceWithoutType() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"linux\":{\"namespaces\":[{\"path\":\"/x\"}]}}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /linux/namespaces/0/type: required field is missing");
    }

    @Test
    void unknownNamespaceTypesAreKeptForNewerRuntimes() {
        Spec spec = Spec.parse(("{\"ociVersion\":\"1.3.0\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
                + "{\"type\":\"futurens\"}]}}").getBytes(StandardCharsets.UTF_8));
        Namespace future = spec.linux().orElseThrow().namespaces().get(1);
        assertThat(future.type()).isEqualTo("futurens");
        assertThat(future.hasKnownType()).isFalse();
        assertThat(spec.linux().orElseThrow().namespaces().get(0).hasKnownType()).isTrue();
    }

    @Test
    void deviceNeedsMajorUnlessFifo() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"linux\":{\"devices\":"
                + "[{\"type\":\"c\",\"path\":\"/dev/x\",\"minor\":1}]}}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /linux/devices/0/major: required field is "
                + "missing (only FIFOs, type \"p\", may omit it)");
    }

    @Test
    void seccompRuleWithoutNamesOrAction() {
        MalformedDocumentException noNames = config("{\"ociVersion\":\"1.1.0\",\"linux\":{\"seccomp\":"
                + "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ERRNO\"}]}}}");
        assertThat(noNames.getMessage()).isEqualTo("invalid runtime config at /linux/seccomp/syscalls/0/names: "
                + "must name at least one system call");
        MalformedDocumentException noAction = config("{\"ociVersion\":\"1.1.0\",\"linux\":{\"seccomp\":"
                + "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]}]}}}");
        assertThat(noAction.field()).isEqualTo("/linux/seccomp/syscalls/0/action");
    }

    @Test
    void blockIoWeightBeyondUint16() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"linux\":{\"resources\":"
                + "{\"blockIO\":{\"weight\":65536}}}}");
        assertThat(e.getMessage())
                .isEqualTo("invalid runtime config at /linux/resources/blockIO/weight: must be between 0 and 65535, got 65536");
    }

    @Test
    void memoryLimitAsAString() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"linux\":{\"resources\":"
                + "{\"memory\":{\"limit\":\"512M\"}}}}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /linux/resources/memory/limit: expected an integer");
    }

    @Test
    void emptyAnnotationKey() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"annotations\":{\"\":\"x\"}}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /annotations: keys must not be empty");
    }

    @Test
    void annotationValueNotAString() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"annotations\":{\"k\":1}}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime config at /annotations/k: expected a string");
    }

    @Test
    void truncatedJson() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"process\":{\"cwd\":\"/\"");
        assertThat(e.getMessage()).startsWith("invalid runtime config").contains("end-of-input");
    }

    @Test
    void duplicateKey() {
        MalformedDocumentException e = config("{\"ociVersion\":\"1.1.0\",\"hostname\":\"a\",\"hostname\":\"b\"}");
        assertThat(e.getMessage()).startsWith("invalid runtime config").contains("Duplicate field 'hostname'");
    }

    @Test
    void notAnObject() {
        assertThat(config("[]").getMessage()).isEqualTo("invalid runtime config: expected an object (Spec)");
        assertThat(config("null").getMessage()).isEqualTo("invalid runtime config: expected a JSON object, found null");
        assertThat(config("").getMessage()).isEqualTo("invalid runtime config: empty document");
    }

    @Test
    void stateMissingIdStatusOrBundle() {
        assertThat(fails(State::parse, "{\"ociVersion\":\"1.0.2\",\"status\":\"stopped\",\"bundle\":\"/b\"}")
                .getMessage()).isEqualTo("invalid container state at /id: required field is missing");
        assertThat(fails(State::parse, "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"bundle\":\"/b\"}").field())
                .isEqualTo("/status");
        assertThat(fails(State::parse, "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\"}").field())
                .isEqualTo("/bundle");
    }

    @ParameterizedTest
    @ValueSource(strings = {"created", "running"})
    void stateOfALiveContainerNeedsItsPid(String status) {
        MalformedDocumentException e = fails(State::parse,
                "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"" + status + "\",\"bundle\":\"/b\"}");
        assertThat(e.getMessage()).isEqualTo("invalid container state at /pid: required field is missing (a "
                + status + " container has a process)");
    }

    @Test
    void stateWithNegativePidOrForeignVersion() {
        assertThat(fails(State::parse, "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"stopped\","
                + "\"pid\":-4,\"bundle\":\"/b\"}").getMessage())
                .isEqualTo("invalid container state at /pid: must not be negative, got -4");
        assertThat(fails(State::parse, "{\"ociVersion\":\"2.0.0\",\"id\":\"c\",\"status\":\"stopped\","
                + "\"bundle\":\"/b\"}").getMessage()).contains("unsupported runtime-spec version \"2.0.0\"");
    }

    @Test
    void featuresNeedBothVersions() {
        MalformedDocumentException e = fails(Features::parse, "{\"ociVersionMin\":\"1.0.0\"}");
        assertThat(e.getMessage()).isEqualTo("invalid runtime features at /ociVersionMax: required field is missing");
        assertThat(fails(Features::parse, "{\"ociVersionMin\":\"one\",\"ociVersionMax\":\"1.0.0\"}").field())
                .isEqualTo("/ociVersionMin");
    }

    @Test
    void featuresWithAListWhereAnObjectBelongs() {
        MalformedDocumentException e = fails(Features::parse,
                "{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.1.0\",\"linux\":{\"cgroup\":[true]}}");
        assertThat(e.field()).isEqualTo("/linux/cgroup");
    }

    @Test
    void buildersReportTheFieldToo() {
        assertThatThrownBy(() -> Process.builder().cwd(null).build())
                .isInstanceOf(dev.ocikit.spec.InvalidFieldException.class).hasMessage("cwd: required field is missing");
        assertThatThrownBy(() -> Spec.builder().ociVersion("3.0.0").build())
                .isInstanceOf(dev.ocikit.spec.InvalidFieldException.class)
                .hasMessageContaining("unsupported runtime-spec version \"3.0.0\"");
        assertThatThrownBy(() -> User.of(-1, 0)).isInstanceOf(dev.ocikit.spec.InvalidFieldException.class)
                .hasMessage("uid: must be between 0 and 4294967295, got -1");
    }
}
