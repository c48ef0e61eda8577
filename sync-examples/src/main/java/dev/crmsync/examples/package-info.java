/**
 * Runnable examples of crmsync: {@link dev.crmsync.examples.Demo} (the README's demo command) and
 * {@link dev.crmsync.examples.Quickstart} (the README's embedding example).
 */
package dev.crmsync.examples;
