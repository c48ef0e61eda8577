/** Engine internals; not part of the API and may change without notice. */
package dev.crmsync.core.internal;
