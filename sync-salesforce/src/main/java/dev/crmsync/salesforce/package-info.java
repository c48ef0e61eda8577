/** A {@link dev.crmsync.crm.CrmSource} over the Salesforce REST and Bulk API 2.0. */
@NullMarked
package dev.crmsync.salesforce;

import org.jspecify.annotations.NullMarked;
