package dev.crmsync.testkit.salesforce.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The syntax tree of the SOQL subset the fake server understands:
 * {@code SELECT items FROM Type [WHERE cond] [ORDER BY items] [LIMIT n]}. Names are kept as written;
 * the {@link QueryEngine} resolves them (case-insensitively) against describe.
 *
 * @param text the query as received
 * @param select the selected items, in order
 * @param from the object type as written, with its position
 * @param where the condition, or null
 * @param groupBy the GROUP BY fields, in order (empty when none)
 * @param orderBy the sort keys, in order (empty when none)
 * @param limit the LIMIT, or null
 * @param offset the OFFSET, or null
 */
public record Soql(String text, List<SelectItem> select, Name from, Condition where, List<Name> groupBy,
                   List<OrderItem> orderBy, Integer limit, Integer offset) {

    /** Checks nulls, copies lists. */
    public Soql {
        Objects.requireNonNull(text, "text");
        select = List.copyOf(select);
        Objects.requireNonNull(from, "from");
        groupBy = List.copyOf(groupBy);
        orderBy = List.copyOf(orderBy);
    }

    /**
     * A query without GROUP BY.
     *
     * @param text the query as received
     * @param select the selected items
     * @param from the object type
     * @param where the condition, or null
     * @param orderBy the sort keys
     * @param limit the LIMIT, or null
     * @param offset the OFFSET, or null
     */
    public Soql(String text, List<SelectItem> select, Name from, Condition where, List<OrderItem> orderBy,
                Integer limit, Integer offset) {
        this(text, select, from, where, List.of(), orderBy, limit, offset);
    }

    /**
     * A query without OFFSET.
     *
     * @param text the query as received
     * @param select the selected items
     * @param from the object type
     * @param where the condition, or null
     * @param orderBy the sort keys
     * @param limit the LIMIT, or null
     */
    public Soql(String text, List<SelectItem> select, Name from, Condition where, List<OrderItem> orderBy,
                Integer limit) {
        this(text, select, from, where, orderBy, limit, null);
    }

    /**
     * An identifier with its position in the query text.
     *
     * @param text the identifier as written
     * @param pos its 0-based offset in the query
     */
    public record Name(String text, int pos) {
        /** Checks nulls. */
        public Name {
            Objects.requireNonNull(text, "text");
        }
    }

    /** A selected item. */
    public sealed interface SelectItem {
    }

    /** A plain field. @param name the field */
    public record FieldItem(Name name) implements SelectItem {
    }

    /** {@code COUNT()}: only the number of rows. @param pos position */
    public record CountAll(int pos) implements SelectItem {
    }

    /**
     * {@code COUNT(field) [alias]}: an aggregate row.
     *
     * @param field the counted field
     * @param alias the alias, or null (then {@code expr0})
     */
    public record CountField(Name field, String alias) implements SelectItem {
    }

    /**
     * {@code SUM(field)}, {@code MIN(field)}, {@code MAX(field)}, {@code AVG(field)} or
     * {@code COUNT_DISTINCT(field)} {@code [alias]}: a column of AggregateResult rows.
     *
     * @param function the function, upper case
     * @param field the field
     * @param alias the alias, or null (then {@code exprN})
     */
    public record AggregateField(String function, Name field, String alias) implements SelectItem {
    }

    /**
     * A child subquery {@code (SELECT f, ... FROM ChildRelationship [WHERE ...] [ORDER BY ...] [LIMIT n])}:
     * its {@code from} is the child relationship's name.
     *
     * @param query the subquery
     * @param pos its position
     */
    public record SubQuery(Soql query, int pos) implements SelectItem {
    }

    /**
     * A sort key.
     *
     * @param field the field
     * @param ascending true for ASC (the default)
     * @param nullsFirst true if nulls sort first (default: first for ASC, last for DESC)
     */
    public record OrderItem(Name field, boolean ascending, boolean nullsFirst) {
    }

    /** A filter condition. */
    public sealed interface Condition {
    }

    /** All must hold. @param parts two or more conditions */
    public record And(List<Condition> parts) implements Condition {
        /** Copies the list. */
        public And {
            parts = List.copyOf(parts);
        }
    }

    /** One must hold. @param parts two or more conditions */
    public record Or(List<Condition> parts) implements Condition {
        /** Copies the list. */
        public Or {
            parts = List.copyOf(parts);
        }
    }

    /** Negation. @param inner the negated condition */
    public record Not(Condition inner) implements Condition {
    }

    /** Comparison operators. */
    public enum Op {
        /** {@code =} */ EQ("="),
        /** {@code !=} or {@code <>} */ NE("!="),
        /** {@code <} */ LT("<"),
        /** {@code <=} */ LE("<="),
        /** {@code >} */ GT(">"),
        /** {@code >=} */ GE(">=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** @return the operator as written in SOQL */
        public String symbol() {
            return symbol;
        }
    }

    /**
     * {@code field op literal}.
     *
     * @param field the field
     * @param op the operator
     * @param value the literal
     * @param valuePos the literal's position
     */
    public record Comparison(Name field, Op op, Literal value, int valuePos) implements Condition {
    }

    /**
     * {@code field [NOT] IN (literals)}.
     *
     * @param field the field
     * @param negated true for NOT IN
     * @param values the literals
     * @param valuePos the position of the first literal
     */
    public record In(Name field, boolean negated, List<Literal> values, int valuePos) implements Condition {
        /** Copies the list. */
        public In {
            values = List.copyOf(values);
        }
    }

    /**
     * {@code field LIKE 'pattern'} ({@code %} any run, {@code _} one character; case-insensitive).
     *
     * @param field the field
     * @param pattern the compiled pattern
     * @param valuePos the pattern's position
     */
    public record Like(Name field, Pattern pattern, int valuePos) implements Condition {
    }

    /** A literal value in a condition. */
    public sealed interface Literal {
    }

    /** A quoted string, unescaped. @param value the text */
    public record StringLit(String value) implements Literal {
    }

    /** A number. @param value the number */
    public record NumberLit(BigDecimal value) implements Literal {
    }

    /** {@code true} or {@code false}. @param value the flag */
    public record BoolLit(boolean value) implements Literal {
    }

    /** {@code null}. */
    public record NullLit() implements Literal {
    }

    /** An unquoted date-time such as {@code 2024-01-01T00:00:00Z}. @param value the instant */
    public record DateTimeLit(Instant value) implements Literal {
    }

    /** An unquoted date such as {@code 2024-01-01}. @param value the date */
    public record DateLit(LocalDate value) implements Literal {
    }

    /**
     * A relative date literal such as {@code TODAY}, {@code THIS_MONTH} or {@code LAST_N_DAYS:30}: a
     * range of days relative to the server's clock in UTC ({@link DateLiterals}).
     *
     * @param name the literal's name, upper case
     * @param n its number ({@code LAST_N_DAYS:n}), or 0 for one without
     */
    public record RelativeDateLit(String name, int n) implements Literal {
    }
}
