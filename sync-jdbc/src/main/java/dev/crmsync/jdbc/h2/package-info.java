/**
 * H2's triggers on the marketing tables of the bidirectional types: {@link dev.crmsync.jdbc.h2.H2ChangeTrigger}
 * puts a host's insert or update into the change feed, {@link dev.crmsync.jdbc.h2.H2DeleteTrigger} a
 * host's delete. The store installs them ({@code CREATE TRIGGER … CALL '<class name>'}) and H2
 * instantiates them by name, which on the module path needs this package exported: it is, and holds
 * nothing else. Not for direct use.
 */
package dev.crmsync.jdbc.h2;
