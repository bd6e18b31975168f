/**
 * Test support for RocksMQ users and backends: the contract suite every backend must pass, fixtures, and a
 * JUnit 5 extension.
 */
package io.rocksmq.testkit;
