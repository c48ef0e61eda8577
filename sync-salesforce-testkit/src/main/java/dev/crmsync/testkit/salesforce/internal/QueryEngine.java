package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.FieldSchema;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.testkit.salesforce.internal.Soql.And;
import dev.crmsync.testkit.salesforce.internal.Soql.BoolLit;
import dev.crmsync.testkit.salesforce.internal.Soql.Comparison;
import dev.crmsync.testkit.salesforce.internal.Soql.Condition;
import dev.crmsync.testkit.salesforce.internal.Soql.CountAll;
import dev.crmsync.testkit.salesforce.internal.Soql.CountField;
import dev.crmsync.testkit.salesforce.internal.Soql.DateLit;
import dev.crmsync.testkit.salesforce.internal.Soql.DateTimeLit;
import dev.crmsync.testkit.salesforce.internal.Soql.FieldItem;
import dev.crmsync.testkit.salesforce.internal.Soql.In;
import dev.crmsync.testkit.salesforce.internal.Soql.Like;
import dev.crmsync.testkit.salesforce.internal.Soql.Literal;
import dev.crmsync.testkit.salesforce.internal.Soql.Name;
import dev.crmsync.testkit.salesforce.internal.Soql.Not;
import dev.crmsync.testkit.salesforce.internal.Soql.NullLit;
import dev.crmsync.testkit.salesforce.internal.Soql.NumberLit;
import dev.crmsync.testkit.salesforce.internal.Soql.Op;
import dev.crmsync.testkit.salesforce.internal.Soql.Or;
import dev.crmsync.testkit.salesforce.internal.Soql.OrderItem;
import dev.crmsync.testkit.salesforce.internal.Soql.SelectItem;
import dev.crmsync.testkit.salesforce.internal.Soql.StringLit;
import dev.crmsync.crm.Cursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Resolves a parsed {@link Soql} against what the backing {@link CrmSource} describes, and runs
 * it by reading the CRM's change stream. Names resolve case-insensitively to their describe
 * spelling; only fields the integration user can read are known. Text comparisons and ordering
 * are case-insensitive, as in Salesforce; {@code !=} and {@code NOT IN} match null values.
 */
public final class QueryEngine {

    /** Synthesised from the record itself when describe does not list them. */
    static final String ID = "Id";
    static final String IS_DELETED = "IsDeleted";
    static final String SYSTEM_MODSTAMP = "SystemModstamp";

    private final CrmSource crm;
    private final java.time.Clock clock;

    /** @param crm the backing CRM (relative date literals use the system clock) */
    public QueryEngine(CrmSource crm) {
        this(crm, java.time.Clock.systemUTC());
    }

    /**
     * @param crm the backing CRM
     * @param clock gives "today" (in UTC) for relative date literals
     */
    public QueryEngine(CrmSource crm, java.time.Clock clock) {
        this.crm = Objects.requireNonNull(crm, "crm");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * One step of a parent relationship path ({@code Account} in {@code Account.Industry}).
     *
     * @param referenceField the reference field it follows, on the type before it ({@code AccountId})
     * @param relationshipName the relationship's describe name ({@code Account})
     * @param target the type it leads to
     */
    public record Hop(String referenceField, String relationshipName, ObjectType target) {
    }

    /**
     * A selected column.
     *
     * @param name the describe spelling; for a parent field its path ({@code Account.Industry})
     * @param type the field's type
     * @param hops the relationships a parent field is reached through (empty for the type's own field)
     */
    public record Column(String name, FieldType type, List<Hop> hops) {
        /** Copies the list. */
        public Column {
            hops = List.copyOf(hops);
        }

        /**
         * A field of the queried type itself.
         *
         * @param name the describe spelling
         * @param type the field's type
         */
        public Column(String name, FieldType type) {
            this(name, type, List.of());
        }

        /** @return the field's own name (after the last dot of a path) */
        public String fieldName() {
            return hops.isEmpty() ? name : name.substring(name.lastIndexOf('.') + 1);
        }
    }

    /**
     * A child relationship: the records of {@code child} whose {@code field} points at a record.
     *
     * @param name the relationship's name ({@code Contacts}, {@code Invoices__r})
     * @param child the child type
     * @param field its reference field ({@code AccountId})
     */
    public record ChildRelationship(String name, ObjectType child, String field) {
    }

    /** Standard reference fields that have a child relationship named after the child type's plural. */
    private static final Set<String> PARENT_FIELDS = Set.of("AccountId", "ContactId", "LeadId", "CampaignId",
            "OpportunityId", "WhoId", "WhatId", "ParentId");

    /**
     * The child relationships of a type: for each readable reference of another type that points at
     * it, {@code Contacts} (a standard field: the child's plural) or {@code Invoices__r} (a custom
     * field or child object: the child's plural with {@code __r}), the first of a name kept.
     *
     * @param parent the type
     * @return its child relationships, by child type name
     */
    public List<ChildRelationship> childRelationships(ObjectType parent) {
        Map<String, ChildRelationship> out = new LinkedHashMap<>();
        List<ObjectType> types = new ArrayList<>(crm.availableTypes());
        types.sort(Comparator.comparing(ObjectType::apiName));
        for (ObjectType child : types) {
            ObjectSchema schema = crm.describe(child).orElse(null);
            if (schema == null) {
                continue;
            }
            for (FieldSchema f : schema.fields()) {
                if (f.type() != FieldType.REFERENCE || !f.readable() || !f.referenceTo().contains(parent.apiName())) {
                    continue;
                }
                boolean custom = f.name().endsWith("__c") || child.isCustom();
                if (!custom && !PARENT_FIELDS.contains(f.name())) {
                    continue;
                }
                String base = child.apiName().endsWith("__c")
                        ? child.apiName().substring(0, child.apiName().length() - 3) : child.apiName();
                String name = SfJson.plural(base) + (custom ? "__r" : "");
                out.putIfAbsent(name.toLowerCase(Locale.ROOT), new ChildRelationship(name, child, f.name()));
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * A child subquery ready to run: its relationship, the query on the child type (without its
     * LIMIT) and the LIMIT per parent.
     *
     * @param relationship the relationship
     * @param prepared the query on the child type
     * @param limit the most child rows per parent, or null
     */
    public record ChildQuery(ChildRelationship relationship, Prepared prepared, Integer limit) {
    }

    /**
     * A parent field reached through relationships.
     *
     * @param name its path in describe spelling ({@code Account.Owner.Name})
     * @param hops the relationships, in order
     * @param field the field on the last hop's type
     */
    record Path(String name, List<Hop> hops, FieldSchema field) {
        Path {
            hops = List.copyOf(hops);
        }
    }

    /** What a query returns. */
    public enum Kind {
        /** Records with the selected columns. */ RECORDS,
        /** {@code COUNT()}: only totalSize. */ COUNT,
        /** Aggregates ({@code COUNT(field)}, {@code SUM}, …), with or without GROUP BY: AggregateResult rows. */ AGGREGATE
    }

    /**
     * One column of an AggregateResult row: a GROUP BY field ({@code function} null) or an aggregate.
     *
     * @param name the column's name in the row (the field, the alias or {@code exprN})
     * @param function {@code COUNT}, {@code SUM}, {@code MIN}, {@code MAX}, {@code AVG},
     *     {@code COUNT_DISTINCT}, or null for a grouped field
     * @param field the field it reads
     * @param type the type its values are written as
     */
    public record AggregateColumn(String name, String function, String field, FieldType type) {
    }

    /**
     * A query ready to run.
     *
     * @param soql the parsed query
     * @param type the object type
     * @param kind what it returns
     * @param columns the selected columns (RECORDS)
     * @param aggregateAlias the aggregate's name (AGGREGATE)
     * @param filter the WHERE condition
     * @param order the ORDER BY comparator, or null
     * @param streamOrdered true if the CRM's (stamp, id) order already satisfies ORDER BY
     * @param lowerBound no matching record has a stamp before this
     * @param fieldsToRead the fields to ask the CRM for
     * @param paths the parent fields the query names, by path (filled in on each row before it is filtered)
     * @param aggregates the columns of AggregateResult rows (AGGREGATE)
     * @param groupBy the GROUP BY fields in describe spelling
     * @param children the child subqueries, by relationship name
     */
    public record Prepared(Soql soql, ObjectType type, Kind kind, List<Column> columns, String aggregateAlias,
                           Predicate<SyncRecord> filter, Comparator<SyncRecord> order, boolean streamOrdered,
                           Instant lowerBound, Set<String> fieldsToRead, Map<String, Path> paths,
                           List<AggregateColumn> aggregates, List<String> groupBy, Map<String, ChildQuery> children) {
        /** Copies collections. */
        public Prepared {
            children = Map.copyOf(children);
            columns = List.copyOf(columns);
            fieldsToRead = Set.copyOf(fieldsToRead);
            paths = Map.copyOf(paths);
            aggregates = List.copyOf(aggregates);
            groupBy = List.copyOf(groupBy);
        }
    }

    /**
     * A query's outcome: a snapshot that later pages read from.
     *
     * @param prepared the query
     * @param rows the matching records (RECORDS), ordered and limited
     * @param totalSize the number of rows (or the count, or the number of groups)
     * @param groups the AggregateResult rows, each column by name in select order (AGGREGATE)
     * @param children each child subquery's rows by parent id, by relationship name
     */
    public record Result(Prepared prepared, List<SyncRecord> rows, int totalSize, List<Map<String, FieldValue>> groups,
                         Map<String, Map<CrmId, List<SyncRecord>>> children) {
        /** Copies the lists. */
        public Result {
            rows = List.copyOf(rows);
            groups = List.copyOf(groups);
            children = Map.copyOf(children);
        }

        /**
         * A result without child rows.
         *
         * @param prepared the query
         * @param rows the rows
         * @param totalSize the number of rows (or the count, or the number of groups)
         * @param groups the AggregateResult rows
         */
        public Result(Prepared prepared, List<SyncRecord> rows, int totalSize, List<Map<String, FieldValue>> groups) {
            this(prepared, rows, totalSize, groups, Map.of());
        }

        /**
         * A result of records or a count.
         *
         * @param prepared the query
         * @param rows the rows
         * @param totalSize the number of rows (or the count)
         */
        public Result(Prepared prepared, List<SyncRecord> rows, int totalSize) {
            this(prepared, rows, totalSize, List.of());
        }
    }

    /**
     * Resolves names and literal types.
     *
     * @param soql a parsed query
     * @return the prepared query
     * @throws SoqlException {@code INVALID_TYPE}, {@code INVALID_FIELD}, {@code MALFORMED_QUERY},
     *     {@code INVALID_QUERY_FILTER_OPERATOR} as Salesforce would answer
     */
    public Prepared prepare(Soql soql) {
        ObjectType type = resolveType(soql.from());
        ObjectSchema schema = crm.describe(type).orElseThrow(() -> invalidType(soql.from()));
        Map<String, FieldSchema> catalog = catalog(schema);
        Resolver r = new Resolver(type, catalog, java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));

        Kind kind = Kind.RECORDS;
        List<Column> columns = new ArrayList<>();
        String alias = null;
        Set<String> seen = new HashSet<>();
        List<AggregateColumn> aggregates = new ArrayList<>();
        Map<String, ChildQuery> children = new LinkedHashMap<>();
        int unnamed = 0;
        for (SelectItem item : soql.select()) {
            if (item instanceof CountAll c) {
                if (soql.select().size() > 1) {
                    throw new SoqlException("MALFORMED_QUERY", "COUNT() must be the only element in the SELECT list", c.pos());
                }
                kind = Kind.COUNT;
            } else if (item instanceof CountField c) {
                FieldSchema fs = r.field(c.field());
                kind = Kind.AGGREGATE;
                String name = c.alias() != null ? c.alias() : "expr" + unnamed++;
                alias = alias == null ? name : alias;
                aggregates.add(new AggregateColumn(name, "COUNT", fs.name(), FieldType.INT));
            } else if (item instanceof Soql.AggregateField a) {
                FieldSchema fs = r.field(a.field());
                boolean numeric = isNumeric(fs.type());
                if ((a.function().equals("SUM") || a.function().equals("AVG")) && !numeric
                        || (a.function().equals("MIN") || a.function().equals("MAX")) && !sortable(fs)) {
                    throw new SoqlException("MALFORMED_QUERY", "field " + fs.name() + " does not support aggregate "
                            + "operator " + a.function(), a.field().pos());
                }
                kind = Kind.AGGREGATE;
                String name = a.alias() != null ? a.alias() : "expr" + unnamed++;
                FieldType out = switch (a.function()) {
                    case "AVG" -> FieldType.DOUBLE;
                    case "COUNT_DISTINCT" -> FieldType.INT;
                    default -> fs.type();
                };
                aggregates.add(new AggregateColumn(name, a.function(), fs.name(), out));
            } else if (item instanceof Soql.SubQuery sq) {
                Name relName = sq.query().from();
                ChildRelationship rel = childRelationships(type).stream()
                        .filter(c -> c.name().equalsIgnoreCase(relName.text())).findFirst()
                        .orElseThrow(() -> new SoqlException("INVALID_TYPE", "Didn't understand relationship '"
                                + relName.text() + "' in FROM part of query call. If you are attempting to use a custom "
                                + "relationship, be sure to append the '__r' after the custom relationship name. Please "
                                + "reference your WSDL or the describe call for the appropriate names.", relName.pos()));
                Soql inner = sq.query();
                Prepared cp = prepare(new Soql(inner.text(), inner.select(), new Name(rel.child().apiName(),
                        relName.pos()), inner.where(), List.of(), inner.orderBy(), null, null));
                Set<String> childRead = new HashSet<>(cp.fieldsToRead());
                childRead.add(rel.field());
                cp = new Prepared(cp.soql(), cp.type(), cp.kind(), cp.columns(), cp.aggregateAlias(), cp.filter(),
                        cp.order(), cp.streamOrdered(), cp.lowerBound(), childRead, cp.paths(), cp.aggregates(),
                        cp.groupBy(), cp.children());
                if (!seen.add(rel.name())) {
                    throw new SoqlException("MALFORMED_QUERY", "duplicate relationship selected: " + rel.name(), sq.pos());
                }
                children.put(rel.name(), new ChildQuery(rel, cp, inner.limit()));
                columns.add(new Column(rel.name(), FieldType.OTHER));
            } else if (item instanceof FieldItem f) {
                FieldSchema fs = r.field(f.name());
                if (!seen.add(fs.name())) {
                    throw new SoqlException("MALFORMED_QUERY", "duplicate field selected: " + fs.name(), f.name().pos());
                }
                Path path = r.paths.get(fs.name());
                columns.add(new Column(fs.name(), fs.type(), path == null ? List.of() : path.hops()));
            }
        }

        List<String> grouped = new ArrayList<>();
        for (Name g : soql.groupBy()) {
            FieldSchema fs = r.field(g);
            if (!sortable(fs) || isNumeric(fs.type()) && fs.type() != FieldType.INT || fs.type() == FieldType.DATETIME) {
                throw new SoqlException("MALFORMED_QUERY", "field '" + fs.name() + "' can not be grouped in a query call",
                        g.pos());
            }
            grouped.add(fs.name());
        }
        if ((!grouped.isEmpty() || kind == Kind.AGGREGATE) && !children.isEmpty()) {
            throw new SoqlException("MALFORMED_QUERY", "a child subquery cannot be selected with aggregates", 0);
        }
        if (!grouped.isEmpty() || kind == Kind.AGGREGATE) {
            if (kind == Kind.COUNT) {
                throw new SoqlException("MALFORMED_QUERY", "COUNT() cannot be used with GROUP BY; use COUNT(Id)", 0);
            }
            kind = Kind.AGGREGATE;
            // the row's columns in select order: grouped fields and aggregates
            List<AggregateColumn> ordered = new ArrayList<>();
            int next = 0;
            for (SelectItem item : soql.select()) {
                if (item instanceof FieldItem f) {
                    Column col = columns.stream().filter(c -> c.name().equalsIgnoreCase(
                            r.field(f.name()).name())).findFirst().orElseThrow();
                    if (!grouped.contains(col.name())) {
                        throw new SoqlException("MALFORMED_QUERY", "Field must be grouped or aggregated: " + col.name(),
                                f.name().pos());
                    }
                    ordered.add(new AggregateColumn(col.name(), null, col.name(), col.type()));
                } else {
                    ordered.add(aggregates.get(next++));
                }
            }
            aggregates = ordered;
            for (OrderItem o : soql.orderBy()) {
                String n = r.field(o.field()).name();
                if (!grouped.contains(n)) {
                    throw new SoqlException("MALFORMED_QUERY", "Ordered field must be grouped or aggregated: " + n,
                            o.field().pos());
                }
            }
        }
        Predicate<SyncRecord> filter = soql.where() == null ? x -> true : r.compile(soql.where());
        Comparator<SyncRecord> order = null;
        List<String> orderNames = new ArrayList<>();
        List<Boolean> orderAsc = new ArrayList<>();
        for (OrderItem o : soql.orderBy()) {
            FieldSchema fs = r.field(o.field());
            if (!sortable(fs)) {
                throw new SoqlException("INVALID_FIELD", "field '" + fs.name() + "' can not be sorted in a query call",
                        o.field().pos());
            }
            Comparator<SyncRecord> key = keyComparator(fs.name(), o.ascending(), o.nullsFirst());
            order = order == null ? key : order.thenComparing(key);
            orderNames.add(fs.name());
            orderAsc.add(o.ascending());
        }
        boolean streamOrdered = orderNames.isEmpty()
                || (orderAsc.stream().allMatch(b -> b)
                    && (orderNames.equals(List.of(SYSTEM_MODSTAMP)) || orderNames.equals(List.of(SYSTEM_MODSTAMP, ID))));
        Instant lower = soql.where() == null ? Instant.EPOCH : lowerBound(soql.where()).orElse(Instant.EPOCH);
        if (lower.isBefore(Instant.EPOCH)) {
            lower = Instant.EPOCH;
        }
        Set<String> read = new HashSet<>(r.used);
        read.remove(ID);
        read.remove(IS_DELETED);
        read.remove(SYSTEM_MODSTAMP);
        for (Path p : r.paths.values()) {
            read.add(p.hops().get(0).referenceField());
        }
        for (Column c : columns) {
            if (c.type() == FieldType.ADDRESS && c.hops().isEmpty()) {
                read.addAll(addressComponents(c.name()).values());   // the compound is made from them
            }
        }
        read.retainAll(schema.fieldsByName().keySet());
        return new Prepared(soql, type, kind, columns, alias, filter, order, streamOrdered, lower, read, r.paths,
                aggregates, grouped, children);
    }

    /**
     * Runs a prepared query.
     *
     * @param q the query
     * @param includeDeleted true for queryAll
     * @param timeoutAbove if not null, fail with {@code QUERY_TIMEOUT} when more rows than this match
     * @return the snapshot of results
     */
    public Result execute(Prepared q, boolean includeDeleted, Integer timeoutAbove) {
        Integer limit = q.soql().limit();
        int offset = q.soql().offset() == null ? 0 : q.soql().offset();
        boolean earlyStop = q.kind() == Kind.RECORDS && limit != null && q.streamOrdered() && timeoutAbove == null;
        List<SyncRecord> rows = new ArrayList<>();
        int pageSize = Math.max(1, Math.min(crm.maxPageSize(), ChangeQuery.MAX_PAGE_SIZE));
        ChangeQuery cq = new ChangeQuery(q.type(), q.fieldsToRead(), new Cursor(q.lowerBound(), null), pageSize);
        try (ChangeStream stream = crm.openChanges(cq)) {
            read:
            while (true) {
                List<SyncRecord> page = stream.nextPage();
                if (page.isEmpty()) {
                    break;
                }
                if (!q.paths().isEmpty()) {
                    page = withParents(page, q.paths().values());
                }
                for (SyncRecord rec : page) {
                    if ((!includeDeleted && rec.deleted()) || !q.filter().test(rec)) {
                        continue;
                    }
                    rows.add(rec);
                    if (earlyStop && rows.size() >= (long) limit + offset) {
                        break read;
                    }
                }
            }
        }
        if (timeoutAbove != null && rows.size() > timeoutAbove) {
            throw new ApiException(400, "QUERY_TIMEOUT", "Your query request was running for too long.");
        }
        if (q.kind() == Kind.AGGREGATE) {
            List<Map<String, FieldValue>> groups = groups(q, rows);
            if (offset > 0) {
                groups = new ArrayList<>(groups.subList(Math.min(offset, groups.size()), groups.size()));
            }
            if (limit != null && groups.size() > limit) {
                groups = new ArrayList<>(groups.subList(0, limit));
            }
            return new Result(q, List.of(), groups.size(), groups);
        }
        if (q.order() != null && !q.streamOrdered()) {
            rows.sort(q.order());
        }
        if (offset > 0 && q.kind() == Kind.RECORDS) {
            rows = new ArrayList<>(rows.subList(Math.min(offset, rows.size()), rows.size()));
        }
        if (limit != null && rows.size() > limit) {
            rows = new ArrayList<>(rows.subList(0, limit));
        }
        if (q.kind() == Kind.RECORDS && !q.children().isEmpty()) {
            return new Result(q, rows, rows.size(), List.of(), childRows(q, rows, includeDeleted));
        }
        return switch (q.kind()) {
            case RECORDS -> new Result(q, rows, rows.size());
            case COUNT -> new Result(q, List.of(), rows.size());
            case AGGREGATE -> new Result(q, rows, 1);
        };
    }

    /**
     * Runs a prepared query of records and keeps only what a Bulk job needs to render its results
     * later: each matching row's id and {@code SystemModstamp}, in result order. A query whose order
     * is the change stream's own (none, or {@code SystemModstamp[, Id]} ascending) is read page by
     * page and never holds more than a page of records; another order is sorted in full first (the
     * records held only until their ids are taken).
     *
     * @param q a query of kind {@link Kind#RECORDS} without child subqueries
     * @param includeDeleted true for queryAll
     * @return the rows to emit, in order
     */
    public Snapshot snapshot(Prepared q, boolean includeDeleted) {
        if (q.kind() != Kind.RECORDS || !q.children().isEmpty()) {
            throw new IllegalArgumentException("a snapshot holds rows of records, not " + q.kind());
        }
        Snapshot.Builder out = new Snapshot.Builder();
        if (!q.streamOrdered()) {
            execute(q, includeDeleted, null).rows().forEach(r -> out.add(r.id(), r.modstamp()));
            return out.build();
        }
        Integer limit = q.soql().limit();
        int offset = q.soql().offset() == null ? 0 : q.soql().offset();
        int skipped = 0;
        int pageSize = Math.max(1, Math.min(crm.maxPageSize(), ChangeQuery.MAX_PAGE_SIZE));
        ChangeQuery cq = new ChangeQuery(q.type(), q.fieldsToRead(), new Cursor(q.lowerBound(), null), pageSize);
        try (ChangeStream stream = crm.openChanges(cq)) {
            read:
            while (limit == null || out.size() < limit) {
                List<SyncRecord> page = stream.nextPage();
                if (page.isEmpty()) {
                    break;
                }
                if (!q.paths().isEmpty()) {
                    page = withParents(page, q.paths().values());
                }
                for (SyncRecord rec : page) {
                    if ((!includeDeleted && rec.deleted()) || !q.filter().test(rec)) {
                        continue;
                    }
                    if (skipped < offset) {
                        skipped++;
                        continue;
                    }
                    out.add(rec.id(), rec.modstamp());
                    if (limit != null && out.size() >= limit) {
                        break read;
                    }
                }
            }
        }
        return out.build();
    }

    /**
     * Reads the rows of a snapshot again, as a Bulk results chunk renders them: the records with
     * the fields the query reads, parent fields filled in, in the order of {@code ids} (an id the CRM
     * no longer has is left out).
     *
     * @param q the query the snapshot was taken of
     * @param ids at most {@link CrmSource#maxPageSize()} ids
     * @return the records, by id
     */
    public Map<CrmId, SyncRecord> reread(Prepared q, List<CrmId> ids) {
        List<SyncRecord> found = crm.fetch(q.type(), ids, q.fieldsToRead());
        if (!q.paths().isEmpty()) {
            found = withParents(found, q.paths().values());
        }
        Map<CrmId, SyncRecord> out = new HashMap<>();
        found.forEach(r -> out.put(r.id(), r));
        return out;
    }

    /** @return how many ids {@link #reread} takes at once */
    public int rereadPageSize() {
        return Math.max(1, Math.min(crm.maxPageSize(), ChangeQuery.MAX_PAGE_SIZE));
    }

    /**
     * Fills in the parent fields of a page of rows: for each relationship prefix ({@code Account},
     * {@code Account.Owner}) the parent's id under {@code prefix.Id} and each named field under its
     * path, {@link FieldValue#NULL} where the reference is empty or the parent is gone.
     */
    private List<SyncRecord> withParents(List<SyncRecord> page, Collection<Path> paths) {
        // prefix -> (its hop, its parent prefix, the fields to read on its type)
        Map<String, Hop> hopOf = new LinkedHashMap<>();
        Map<String, Set<String>> fieldsOf = new HashMap<>();
        for (Path p : paths) {
            String prefix = "";
            for (int i = 0; i < p.hops().size(); i++) {
                Hop h = p.hops().get(i);
                String parent = prefix;
                prefix = prefix.isEmpty() ? h.relationshipName() : prefix + "." + h.relationshipName();
                hopOf.putIfAbsent(prefix, h);
                fieldsOf.computeIfAbsent(prefix, k -> new HashSet<>());
                if (!parent.isEmpty()) {
                    fieldsOf.get(parent).add(h.referenceField());
                }
            }
            fieldsOf.get(prefix).add(p.field().name());
        }
        List<Map<String, FieldValue>> extra = new ArrayList<>();
        page.forEach(r -> extra.add(new HashMap<>()));
        List<String> prefixes = new ArrayList<>(hopOf.keySet());
        prefixes.sort(Comparator.comparingInt(x -> x.split("\\.").length));
        for (String prefix : prefixes) {
            Hop h = hopOf.get(prefix);
            String parent = prefix.contains(".") ? prefix.substring(0, prefix.lastIndexOf('.')) : "";
            List<CrmId> ids = new ArrayList<>();
            for (int i = 0; i < page.size(); i++) {
                FieldValue ref = parent.isEmpty() ? page.get(i).get(h.referenceField())
                        : extra.get(i).getOrDefault(parent + "." + h.referenceField(), FieldValue.NULL);
                ids.add(ref instanceof FieldValue.Ref x ? x.id() : null);
            }
            Map<CrmId, SyncRecord> found = fetchAll(h.target(), ids, fieldsOf.get(prefix));
            for (int i = 0; i < page.size(); i++) {
                SyncRecord parentRow = ids.get(i) == null ? null : found.get(ids.get(i));
                Map<String, FieldValue> m = extra.get(i);
                m.put(prefix + "." + ID, parentRow == null ? FieldValue.NULL : FieldValue.ref(parentRow.id()));
                for (String f : fieldsOf.get(prefix)) {
                    m.put(prefix + "." + f, parentRow == null ? FieldValue.NULL : value(parentRow, f));
                }
            }
        }
        List<SyncRecord> out = new ArrayList<>(page.size());
        for (int i = 0; i < page.size(); i++) {
            Map<String, FieldValue> m = new HashMap<>(page.get(i).fields());
            m.putAll(extra.get(i));
            out.add(page.get(i).withFields(m));
        }
        return out;
    }

    /**
     * The AggregateResult rows of matching records: one per distinct combination of the GROUP BY
     * fields (text compared case-insensitively, as Salesforce groups), in order of first appearance
     * unless ORDER BY sorts them; one row in all without GROUP BY.
     */
    private static List<Map<String, FieldValue>> groups(Prepared q, List<SyncRecord> rows) {
        Map<List<Object>, List<SyncRecord>> byKey = new LinkedHashMap<>();
        for (SyncRecord r : rows) {
            List<Object> key = new ArrayList<>();
            for (String g : q.groupBy()) {
                FieldValue v = value(r, g);
                key.add(v.isNull() ? "\u0000null" : v instanceof FieldValue.Text t ? t.value().toLowerCase(Locale.ROOT) : v);
            }
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        if (byKey.isEmpty() && q.groupBy().isEmpty()) {
            byKey.put(List.of(), List.of());
        }
        List<SyncRecord> firsts = new ArrayList<>();
        List<Map<String, FieldValue>> out = new ArrayList<>();
        for (List<SyncRecord> members : byKey.values()) {
            Map<String, FieldValue> row = new LinkedHashMap<>();
            for (AggregateColumn c : q.aggregates()) {
                row.put(c.name(), c.function() == null ? value(members.get(0), c.field()) : aggregate(c, members));
            }
            out.add(row);
            if (!members.isEmpty()) {
                firsts.add(members.get(0));
            }
        }
        if (q.order() != null && firsts.size() == out.size()) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                idx.add(i);
            }
            idx.sort((a, b) -> q.order().compare(firsts.get(a), firsts.get(b)));
            List<Map<String, FieldValue>> sorted = new ArrayList<>();
            idx.forEach(i -> sorted.add(out.get(i)));
            return sorted;
        }
        return out;
    }

    private static FieldValue aggregate(AggregateColumn c, List<SyncRecord> members) {
        List<FieldValue> values = new ArrayList<>();
        for (SyncRecord r : members) {
            FieldValue v = value(r, c.field());
            if (!v.isNull()) {
                values.add(v);
            }
        }
        switch (c.function()) {
            case "COUNT":
                return FieldValue.number(java.math.BigDecimal.valueOf(values.size()));
            case "COUNT_DISTINCT":
                Set<Object> distinct = new HashSet<>();
                values.forEach(v -> distinct.add(v instanceof FieldValue.Text t ? t.value().toLowerCase(Locale.ROOT) : v));
                return FieldValue.number(java.math.BigDecimal.valueOf(distinct.size()));
            case "MIN":
            case "MAX":
                FieldValue best = null;
                for (FieldValue v : values) {
                    if (best == null || (c.function().equals("MIN") ? compare(v, best) < 0 : compare(v, best) > 0)) {
                        best = v;
                    }
                }
                return best == null ? FieldValue.NULL : best;
            default:
                if (values.isEmpty()) {
                    return FieldValue.NULL;
                }
                java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
                for (FieldValue v : values) {
                    sum = sum.add(((FieldValue.Number) v).value());
                }
                return FieldValue.number(c.function().equals("SUM") ? sum
                        : sum.divide(java.math.BigDecimal.valueOf(values.size()), java.math.MathContext.DECIMAL64));
        }
    }

    /** Each child subquery's rows of the parents in {@code rows}, by parent id, at most its LIMIT each. */
    private Map<String, Map<CrmId, List<SyncRecord>>> childRows(Prepared q, List<SyncRecord> rows,
                                                               boolean includeDeleted) {
        Set<CrmId> parents = new HashSet<>();
        rows.forEach(r -> parents.add(r.id()));
        Map<String, Map<CrmId, List<SyncRecord>>> out = new LinkedHashMap<>();
        for (ChildQuery c : q.children().values()) {
            Map<CrmId, List<SyncRecord>> byParent = new HashMap<>();
            for (SyncRecord child : execute(c.prepared(), includeDeleted, null).rows()) {
                if (value(child, c.relationship().field()) instanceof FieldValue.Ref ref && parents.contains(ref.id())) {
                    List<SyncRecord> list = byParent.computeIfAbsent(ref.id(), k -> new ArrayList<>());
                    if (c.limit() == null || list.size() < c.limit()) {
                        list.add(child);
                    }
                }
            }
            out.put(c.relationship().name(), byParent);
        }
        return out;
    }

    /** The live records of a type among ids (nulls skipped), read in chunks the CRM accepts. */
    private Map<CrmId, SyncRecord> fetchAll(ObjectType type, List<CrmId> ids, Set<String> fields) {
        List<CrmId> distinct = ids.stream().filter(Objects::nonNull).distinct().toList();
        Set<String> read = new HashSet<>(fields);
        read.remove(ID);
        read.remove(IS_DELETED);
        read.remove(SYSTEM_MODSTAMP);
        Map<CrmId, SyncRecord> out = new HashMap<>();
        int chunk = Math.max(1, crm.maxPageSize());
        for (int i = 0; i < distinct.size(); i += chunk) {
            for (SyncRecord r : crm.fetch(type, distinct.subList(i, Math.min(distinct.size(), i + chunk)), read)) {
                if (!r.deleted()) {
                    out.put(r.id(), r);
                }
            }
        }
        return out;
    }

    /**
     * The value of a field on a record, synthesising {@code Id}, {@code IsDeleted} and
     * {@code SystemModstamp} from the record itself.
     *
     * @param r the record
     * @param field the describe spelling of the field
     * @return the value ({@link FieldValue#NULL} when absent)
     */
    public static FieldValue value(SyncRecord r, String field) {
        return switch (field) {
            case ID -> FieldValue.ref(r.id());
            case IS_DELETED -> FieldValue.bool(r.deleted());
            case SYSTEM_MODSTAMP -> FieldValue.dateTime(r.modstamp());
            default -> r.get(field);
        };
    }

    /**
     * Resolves an object type name case-insensitively among the types the user can query.
     *
     * @param name the name as written
     * @return the type
     * @throws SoqlException INVALID_TYPE if unknown or hidden
     */
    public ObjectType resolveType(Name name) {
        for (ObjectType t : crm.availableTypes()) {
            if (t.apiName().equalsIgnoreCase(name.text())) {
                return t;
            }
        }
        throw invalidType(name);
    }

    private static SoqlException invalidType(Name name) {
        return new SoqlException("INVALID_TYPE", "sObject type '" + name.text() + "' is not supported. If you are "
                + "attempting to use a custom object, be sure to append the '__c' after the entity name. Please "
                + "reference your WSDL or the describe call for the appropriate names.", name.pos());
    }

    /** The system fields a real org describes in one block, in this order. */
    private static final List<String> AUDIT_BLOCK = List.of("CreatedDate", "CreatedById", "LastModifiedDate",
            "LastModifiedById", SYSTEM_MODSTAMP);

    /**
     * The fields a query may name: the readable fields of the schema, plus {@code Id},
     * {@code IsDeleted} and {@code SystemModstamp} if describe leaves them out, in a real org's
     * describe order: {@code Id}, ({@code OwnerId} on a custom object,) {@code IsDeleted}, then the
     * schema's fields with the audit block ({@code CreatedDate} ... {@code SystemModstamp}) after
     * {@code OwnerId} on a standard object and after {@code Name} on a custom one.
     *
     * @param schema the schema
     * @return fields by lower-case name, in describe order
     */
    public static Map<String, FieldSchema> catalog(ObjectSchema schema) {
        Map<String, FieldSchema> readable = new LinkedHashMap<>();
        for (FieldSchema f : schema.fields()) {
            if (f.readable()) {
                readable.put(f.name(), f);
            }
        }
        readable.putIfAbsent(IS_DELETED, new FieldSchema(IS_DELETED, FieldType.BOOLEAN, true, false, false, false, 0,
                List.of()));
        readable.putIfAbsent(SYSTEM_MODSTAMP, new FieldSchema(SYSTEM_MODSTAMP, FieldType.DATETIME, true, false,
                false, false, 0, List.of()));
        boolean custom = schema.type().isCustom();
        List<FieldSchema> audit = new ArrayList<>();
        for (String name : AUDIT_BLOCK) {
            FieldSchema f = readable.remove(name);
            if (f != null) {
                audit.add(f);
            }
        }
        Map<String, FieldSchema> m = new LinkedHashMap<>();
        m.put(ID.toLowerCase(Locale.ROOT), new FieldSchema(ID, FieldType.ID, true, false, false, false, 18, List.of()));
        if (custom && readable.containsKey(OrgView.OWNER_ID)) {
            FieldSchema owner = readable.remove(OrgView.OWNER_ID);
            m.put(owner.name().toLowerCase(Locale.ROOT), owner);
        }
        FieldSchema deleted = readable.remove(IS_DELETED);
        m.put(deleted.name().toLowerCase(Locale.ROOT), deleted);
        String after = custom ? OrgView.NAME : OrgView.OWNER_ID;
        boolean anchored = readable.containsKey(after);
        if (!anchored && custom) {
            audit.forEach(f -> m.put(f.name().toLowerCase(Locale.ROOT), f));
        }
        for (FieldSchema f : readable.values()) {
            m.put(f.name().toLowerCase(Locale.ROOT), f);
            if (anchored && f.name().equals(after)) {
                audit.forEach(a -> m.put(a.name().toLowerCase(Locale.ROOT), a));
            }
        }
        if (!anchored && !custom) {
            audit.forEach(f -> m.put(f.name().toLowerCase(Locale.ROOT), f));
        }
        return m;
    }

    /** The keys of a compound address value, in the order a real org writes them, to the component's suffix. */
    private static final List<String[]> ADDRESS_KEYS = List.of(new String[] {"city", "City"},
            new String[] {"country", "Country"}, new String[] {"geocodeAccuracy", "GeocodeAccuracy"},
            new String[] {"latitude", "Latitude"}, new String[] {"longitude", "Longitude"},
            new String[] {"postalCode", "PostalCode"}, new String[] {"state", "State"},
            new String[] {"street", "Street"});

    /**
     * The component fields of a compound address field, as a real org names them:
     * {@code BillingAddress} is made of {@code BillingStreet}, {@code BillingCity}, ...,
     * {@code BillingGeocodeAccuracy}; Lead's {@code Address} of {@code Street}, {@code City}, ....
     *
     * @param compound the compound field's name (ending in {@code Address})
     * @return each key of the compound value ({@code city}, {@code country}, ...) to its component
     *     field, in the order a real org writes the keys
     */
    public static Map<String, String> addressComponents(String compound) {
        String prefix = compound.endsWith("Address") ? compound.substring(0, compound.length() - "Address".length())
                : compound;
        Map<String, String> out = new LinkedHashMap<>();
        for (String[] k : ADDRESS_KEYS) {
            out.put(k[0], prefix + k[1]);
        }
        return out;
    }

    /**
     * @param f a field
     * @return true if it may appear in WHERE (long text areas, compound and binary fields may not)
     */
    public static boolean filterable(FieldSchema f) {
        return !f.type().isUnsyncable() && !(f.type() == FieldType.TEXTAREA && f.length() > 255);
    }

    /**
     * @param f a field
     * @return true if it may appear in ORDER BY
     */
    public static boolean sortable(FieldSchema f) {
        return filterable(f) && f.type() != FieldType.MULTIPICKLIST;
    }

    // ---------------------------------------------------------------- resolution

    /** Salesforce's deepest parent path: five relationships. */
    private static final int MAX_HOPS = 5;

    private final class Resolver {
        private final ObjectType type;
        private final Map<String, FieldSchema> catalog;
        private final java.time.LocalDate today;
        private final Set<String> used = new HashSet<>();
        private final Map<String, Path> paths = new LinkedHashMap<>();

        Resolver(ObjectType type, Map<String, FieldSchema> catalog, java.time.LocalDate today) {
            this.type = type;
            this.catalog = catalog;
            this.today = today;
        }

        /** A parent field {@code Rel.Rel.Field}: each relationship the name of a reference field's relationship. */
        private FieldSchema path(Name name) {
            String[] parts = name.text().split("\\.", -1);
            if (parts.length - 1 > MAX_HOPS) {
                throw new SoqlException("MALFORMED_QUERY", "A field path can follow at most " + MAX_HOPS
                        + " relationships: " + name.text(), name.pos());
            }
            ObjectType at = type;
            Map<String, FieldSchema> cat = catalog;
            List<Hop> hops = new ArrayList<>();
            StringBuilder canonical = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                String rel = parts[i];
                FieldSchema ref = null;
                for (FieldSchema f : cat.values()) {
                    if (f.type() == FieldType.REFERENCE && rel.equalsIgnoreCase(SfJson.relationshipName(f))) {
                        ref = f;
                        break;
                    }
                }
                // a polymorphic owner ([Group, User]) is followed to User: a queue owner's fields read as null
                ObjectType target = ref == null ? null : ref.referenceTo().stream()
                        .sorted(Comparator.comparing((String n) -> !n.equals("User")))
                        .map(ObjectType::of)
                        .filter(t -> crm.availableTypes().contains(t)).findFirst().orElse(null);
                ObjectSchema targetSchema = target == null ? null : crm.describe(target).orElse(null);
                if (targetSchema == null) {
                    throw new SoqlException("INVALID_FIELD", "Didn't understand relationship '" + rel + "' in field "
                            + "path. If you are attempting to use a custom relationship, be sure to append the '__r' "
                            + "after the custom relationship name. Please reference your WSDL or the describe call for "
                            + "the appropriate names.", name.pos());
                }
                String relName = SfJson.relationshipName(ref);
                hops.add(new Hop(ref.name(), relName, target));
                canonical.append(relName).append('.');
                if (i == 0) {
                    used.add(ref.name());
                }
                at = target;
                cat = catalog(targetSchema);
            }
            String last = parts[parts.length - 1];
            FieldSchema f = cat.get(last.toLowerCase(Locale.ROOT));
            if (f == null) {
                throw new SoqlException("INVALID_FIELD", "No such column '" + last + "' on entity '" + at.apiName()
                        + "'. If you are attempting to use a custom field, be sure to append the '__c' after the "
                        + "custom field name. Please reference your WSDL or the describe call for the appropriate "
                        + "names.", name.pos());
            }
            String full = canonical + f.name();
            paths.putIfAbsent(full, new Path(full, hops, f));
            return FieldSchema.builder(full, f.type()).length(f.length()).referenceTo(f.referenceTo())
                    .createable(false).updateable(false).calculated(f.calculated()).build();
        }

        FieldSchema field(Name name) {
            String text = name.text();
            if (text.contains(".")) {
                return path(name);
            }
            FieldSchema f = catalog.get(text.toLowerCase(Locale.ROOT));
            if (f == null) {
                throw new SoqlException("INVALID_FIELD", "No such column '" + text + "' on entity '" + type.apiName()
                        + "'. If you are attempting to use a custom field, be sure to append the '__c' after the "
                        + "custom field name. Please reference your WSDL or the describe call for the appropriate "
                        + "names.", name.pos());
            }
            used.add(f.name());
            return f;
        }

        FieldSchema filterField(Name name) {
            FieldSchema f = field(name);
            if (!filterable(f)) {
                throw new SoqlException("INVALID_FIELD", "field '" + f.name() + "' can not be filtered in a query call",
                        name.pos());
            }
            return f;
        }

        /** A relative date literal's range {@code [from, to)} as values of the field's type. */
        FieldValue[] range(FieldSchema f, Soql.RelativeDateLit lit, int pos) {
            java.time.LocalDate[] days = DateLiterals.range(lit.name(), lit.n(), today);
            if (f.type() == FieldType.DATE) {
                return new FieldValue[] {FieldValue.date(days[0]), FieldValue.date(days[1])};
            }
            if (f.type() == FieldType.DATETIME) {
                return new FieldValue[] {FieldValue.dateTime(days[0].atStartOfDay(java.time.ZoneOffset.UTC).toInstant()),
                    FieldValue.dateTime(days[1].atStartOfDay(java.time.ZoneOffset.UTC).toInstant())};
            }
            throw new SoqlException("INVALID_FIELD", "value of filter criterion for field '" + f.name()
                    + "' must be of type " + sfType(f.type()) + " and should "
                    + (f.type() == FieldType.BOOLEAN || isNumeric(f.type()) ? "not " : "") + "be enclosed in quotes",
                    pos);
        }

        Predicate<SyncRecord> compile(Condition c) {
            if (c instanceof And a) {
                List<Predicate<SyncRecord>> ps = a.parts().stream().map(this::compile).toList();
                return rec -> {
                    for (Predicate<SyncRecord> p : ps) {
                        if (!p.test(rec)) {
                            return false;
                        }
                    }
                    return true;
                };
            }
            if (c instanceof Or o) {
                List<Predicate<SyncRecord>> ps = o.parts().stream().map(this::compile).toList();
                return rec -> {
                    for (Predicate<SyncRecord> p : ps) {
                        if (p.test(rec)) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            if (c instanceof Not n) {
                return compile(n.inner()).negate();
            }
            if (c instanceof Comparison cmp && cmp.value() instanceof Soql.RelativeDateLit lit) {
                FieldSchema f = filterField(cmp.field());
                FieldValue[] range = range(f, lit, cmp.valuePos());
                String name = f.name();
                Op op = cmp.op();
                return rec -> inRange(value(rec, name), op, range);
            }
            if (c instanceof Comparison cmp) {
                FieldSchema f = filterField(cmp.field());
                FieldValue expected = typed(f, cmp.value(), cmp.valuePos());
                String name = f.name();
                Op op = cmp.op();
                return rec -> matches(value(rec, name), op, expected);
            }
            if (c instanceof In in) {
                FieldSchema f = filterField(in.field());
                List<FieldValue> expected = new ArrayList<>();
                List<FieldValue[]> ranges = new ArrayList<>();
                for (Literal l : in.values()) {
                    if (l instanceof Soql.RelativeDateLit lit) {
                        ranges.add(range(f, lit, in.valuePos()));
                    } else {
                        expected.add(typed(f, l, in.valuePos()));
                    }
                }
                String name = f.name();
                boolean negated = in.negated();
                return rec -> {
                    FieldValue v = value(rec, name);
                    boolean any = false;
                    for (FieldValue[] range : ranges) {
                        if (inRange(v, Op.EQ, range)) {
                            any = true;
                            break;
                        }
                    }
                    for (FieldValue e : expected) {
                        if (e.isNull() ? v.isNull() : (!v.isNull() && compare(v, e) == 0)) {
                            any = true;
                            break;
                        }
                    }
                    return any != negated;
                };
            }
            Like like = (Like) c;
            FieldSchema f = filterField(like.field());
            if (!isTextual(f.type())) {
                throw new SoqlException("INVALID_QUERY_FILTER_OPERATOR",
                        "invalid operator on " + sfType(f.type()) + " field: " + f.name(), like.field().pos());
            }
            String name = f.name();
            return rec -> {
                FieldValue v = value(rec, name);
                return !v.isNull() && like.pattern().matcher(v.asText()).matches();
            };
        }
    }

    private static boolean isNumeric(FieldType t) {
        return t == FieldType.INT || t == FieldType.DOUBLE || t == FieldType.CURRENCY || t == FieldType.PERCENT;
    }

    /** A comparison with a date literal's range {@code [from, to)}; {@code !=} matches nulls, as {@code !=} does. */
    private static boolean inRange(FieldValue v, Op op, FieldValue[] range) {
        if (v.isNull()) {
            return op == Op.NE;
        }
        boolean beforeStart = compare(v, range[0]) < 0;
        boolean beforeEnd = compare(v, range[1]) < 0;
        return switch (op) {
            case EQ -> !beforeStart && beforeEnd;
            case NE -> beforeStart || !beforeEnd;
            case LT -> beforeStart;
            case LE -> beforeEnd;
            case GT -> !beforeEnd;
            case GE -> !beforeStart;
        };
    }

    private static boolean isTextual(FieldType t) {
        return switch (t) {
            case STRING, TEXTAREA, EMAIL, PHONE, URL, PICKLIST, MULTIPICKLIST, TIME, OTHER -> true;
            default -> false;
        };
    }

    private static String sfType(FieldType t) {
        return switch (t) {
            case DATETIME -> "dateTime";
            case INT -> "integer";
            case DOUBLE, CURRENCY, PERCENT -> "double";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    /** Converts a literal to a value of the field's type, or refuses it as Salesforce would. */
    private static FieldValue typed(FieldSchema f, Literal lit, int pos) {
        if (lit instanceof NullLit) {
            return FieldValue.NULL;
        }
        String field = f.name();
        FieldType t = f.type();
        switch (t) {
            case ID, REFERENCE:
                if (lit instanceof StringLit s) {
                    try {
                        return FieldValue.ref(CrmId.of(s.value()));
                    } catch (IllegalArgumentException e) {
                        throw new SoqlException("INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: " + s.value(), pos);
                    }
                }
                throw mismatch(field, "id", true, pos);
            case BOOLEAN:
                if (lit instanceof BoolLit b) {
                    return FieldValue.bool(b.value());
                }
                throw mismatch(field, "boolean", false, pos);
            case INT, DOUBLE, CURRENCY, PERCENT:
                if (lit instanceof NumberLit n) {
                    return FieldValue.number(n.value());
                }
                throw mismatch(field, sfType(t), false, pos);
            case DATE:
                if (lit instanceof DateLit d) {
                    return FieldValue.date(d.value());
                }
                throw mismatch(field, "date", false, pos);
            case DATETIME:
                if (lit instanceof DateTimeLit d) {
                    return FieldValue.dateTime(d.value());
                }
                throw mismatch(field, "dateTime", false, pos);
            default:
                if (lit instanceof StringLit s) {
                    return FieldValue.text(s.value());
                }
                throw mismatch(field, "string", true, pos);
        }
    }

    private static SoqlException mismatch(String field, String type, boolean quoted, int pos) {
        return new SoqlException("INVALID_FIELD", "value of filter criterion for field '" + field + "' must be of type "
                + type + " and should " + (quoted ? "" : "not ") + "be enclosed in quotes", pos);
    }

    private static boolean matches(FieldValue v, Op op, FieldValue expected) {
        if (expected.isNull()) {
            return switch (op) {
                case EQ -> v.isNull();
                case NE -> !v.isNull();
                default -> false;
            };
        }
        if (v.isNull()) {
            return op == Op.NE;
        }
        int c = compare(v, expected);
        return switch (op) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }

    /** Compares two non-null values; text is compared case-insensitively. */
    static int compare(FieldValue a, FieldValue b) {
        if (a instanceof FieldValue.Number x && b instanceof FieldValue.Number y) {
            return x.value().compareTo(y.value());
        }
        if (a instanceof FieldValue.Bool x && b instanceof FieldValue.Bool y) {
            return Boolean.compare(x.value(), y.value());
        }
        if (a instanceof FieldValue.Date x && b instanceof FieldValue.Date y) {
            return x.value().compareTo(y.value());
        }
        if (a instanceof FieldValue.DateTime x && b instanceof FieldValue.DateTime y) {
            return x.value().compareTo(y.value());
        }
        if (a instanceof FieldValue.Ref x && b instanceof FieldValue.Ref y) {
            return x.id().compareTo(y.id());
        }
        return String.CASE_INSENSITIVE_ORDER.compare(a.asText(), b.asText());
    }

    private static Comparator<SyncRecord> keyComparator(String field, boolean ascending, boolean nullsFirst) {
        Comparator<FieldValue> values = QueryEngine::compare;
        if (!ascending) {
            values = values.reversed();
        }
        Comparator<FieldValue> base = values;
        return (r1, r2) -> {
            FieldValue a = value(r1, field);
            FieldValue b = value(r2, field);
            if (a.isNull() || b.isNull()) {
                if (a.isNull() && b.isNull()) {
                    return 0;
                }
                return a.isNull() == nullsFirst ? -1 : 1;
            }
            return base.compare(a, b);
        };
    }

    /** A stamp no matching record can precede, from comparisons on SystemModstamp. */
    private static Optional<Instant> lowerBound(Condition c) {
        if (c instanceof Comparison cmp) {
            if (cmp.field().text().equalsIgnoreCase(SYSTEM_MODSTAMP) && cmp.value() instanceof DateTimeLit d
                    && (cmp.op() == Op.GT || cmp.op() == Op.GE || cmp.op() == Op.EQ)) {
                return Optional.of(d.value());
            }
            return Optional.empty();
        }
        if (c instanceof And a) {
            Optional<Instant> best = Optional.empty();
            for (Condition p : a.parts()) {
                Optional<Instant> b = lowerBound(p);
                if (b.isPresent() && (best.isEmpty() || b.get().isAfter(best.get()))) {
                    best = b;
                }
            }
            return best;
        }
        if (c instanceof Or o) {
            Instant min = null;
            for (Condition p : o.parts()) {
                Optional<Instant> b = lowerBound(p);
                if (b.isEmpty()) {
                    return Optional.empty();
                }
                min = min == null || b.get().isBefore(min) ? b.get() : min;
            }
            return Optional.ofNullable(min);
        }
        return Optional.empty();
    }
}
