package io.rocksmq.api.internals;

import io.rocksmq.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UriParametersTest {

    @Test
    void decodesPercentEscapesAsUtf8AndKeepsAPlus() {
        assertThat(UriParameters.decode("./data")).isEqualTo("./data");
        assertThat(UriParameters.decode("a%20b%2Bc+d%E2%9C%93")).isEqualTo("a b+c+d✓");
        assertThatThrownBy(() -> UriParameters.decode("bad%2")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> UriParameters.decode("bad%zz")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void parsesAQueryInOrder() {
        assertThat(UriParameters.parse("b=2&a=x%20y&&flag&b=3")).containsExactly(
                java.util.Map.entry("b", "3"), java.util.Map.entry("a", "x y"), java.util.Map.entry("flag", ""));
        assertThat(UriParameters.parse(null)).isEmpty();
        assertThat(UriParameters.parse("")).isEmpty();
    }
}
