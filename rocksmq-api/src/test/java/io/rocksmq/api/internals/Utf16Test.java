package io.rocksmq.api.internals;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Utf16Test {
    @Test
    void findsTheFirstUnpairedSurrogateAndAcceptsPairs() {
        assertThat(Utf16.unpairedSurrogate("plain ✓")).isEqualTo(-1);
        assertThat(Utf16.unpairedSurrogate("a\uD83D\uDE00b")).as("a pair").isEqualTo(-1);
        assertThat(Utf16.unpairedSurrogate("ab\uD83D")).as("high at the end").isEqualTo(2);
        assertThat(Utf16.unpairedSurrogate("\uDE00\uD83D")).as("reversed pair").isEqualTo(0);
        assertThat(Utf16.unpairedSurrogate("x\uD83Dy")).as("high then not low").isEqualTo(1);
        assertThat(Utf16.unpairedSurrogate("")).isEqualTo(-1);
    }
}
