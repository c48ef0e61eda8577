package dev.crmsync.jdbc.internal;

import dev.crmsync.jdbc.SqlDialect;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.store.StoreChecks;
import dev.crmsync.store.StoreField;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The typed column of one field in a marketing table: its SQL type per dialect, the check of a
 * value against it, binding and reading. A value is kept exactly or refused: never rounded,
 * truncated or put in exponent form.
 *
 * @param field the field's API name
 * @param column the column's name (lower case)
 * @param kind the kind of values it holds
 * @param length for text: the most characters, 0 for unbounded
 * @param precision for decimals: the most digits, 0 for unbounded
 * @param scale for decimals: the most digits after the point
 */
public record Column(String field, String column, StoreField.Kind kind, int length, int precision, int scale) {

    /** Most digits of a number kept in an unbounded decimal column. */
    public static final int MAX_UNBOUNDED_DIGITS = 1000;

    private static final BigDecimal INT_MIN = BigDecimal.valueOf(Integer.MIN_VALUE);
    private static final BigDecimal INT_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** Checks nulls. */
    public Column {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * @param f a store field
     * @param column its column name
     * @return its column
     */
    public static Column of(StoreField f, String column) {
        return switch (f.kind()) {
            case REFERENCE, ID -> new Column(f.name(), column, f.kind(), 18, 0, 0);
            case INTEGER, LONG, DOUBLE, BOOLEAN, DATE, DATETIME -> new Column(f.name(), column, f.kind(), 0, 0, 0);
            case TIME -> new Column(f.name(), column, f.kind(), Math.max(f.length(), 0), 0, 0);
            default -> f.kind().isNumber()
                    ? new Column(f.name(), column, f.kind(), 0, f.precision(), f.scale())
                    : new Column(f.name(), column, f.kind(), f.length(), 0, 0);
        };
    }

    /**
     * @param v a value its column accepts ({@link #problem} found none)
     * @return false for text holding U+0000, which PostgreSQL text cannot hold: such a value is kept
     *     in {@code _other} instead (still exact), the column left NULL
     */
    public static boolean columnHolds(FieldValue v) {
        return !(v instanceof FieldValue.Text t) || t.value().indexOf('\u0000') < 0;
    }

    /** @param name another column name @return this column under that name */
    public Column withColumn(String name) {
        return new Column(field, name, kind, length, precision, scale);
    }

    /** @param d the dialect @return the column's SQL type */
    public String sqlType(SqlDialect d) {
        if (d == SqlDialect.MARIADB) {
            return mariaType();
        }
        if (kind.isText()) {
            if (length > 0) {
                return "VARCHAR(" + length + ")";
            }
            return d == SqlDialect.POSTGRESQL ? "TEXT" : "CHARACTER VARYING";
        }
        return switch (kind) {
            case REFERENCE, ID -> d == SqlDialect.POSTGRESQL ? "VARCHAR(18) COLLATE \"C\"" : "VARCHAR(18)";
            case INTEGER -> "INTEGER";
            case LONG -> "BIGINT";
            case DOUBLE -> "DOUBLE PRECISION";
            case BOOLEAN -> "BOOLEAN";
            case DATE -> "DATE";
            case DATETIME -> "TIMESTAMP WITH TIME ZONE";
            default -> precision > 0 ? "NUMERIC(" + precision + ", " + scale + ")"
                    : d == SqlDialect.POSTGRESQL ? "NUMERIC" : "DECFLOAT";
        };
    }

    /**
     * MariaDB: text up to 255 characters {@code VARCHAR(n)}, up to 16,383 {@code TEXT} (65,535
     * bytes of utf8mb4), longer or unbounded {@code MEDIUMTEXT}; ids ASCII with a binary collation;
     * instants {@code DATETIME(6)} in UTC; numbers {@code DECIMAL(p, s)} (the store gives unbounded
     * ones 65, 30).
     */
    private String mariaType() {
        if (kind.isText()) {
            if (length > 0 && length <= 255) {
                return "VARCHAR(" + length + ")";
            }
            return length > 0 && length <= 16_383 ? "TEXT" : "MEDIUMTEXT";
        }
        return switch (kind) {
            case REFERENCE, ID -> "VARCHAR(18) CHARACTER SET ascii COLLATE ascii_bin";
            case INTEGER -> "INT";
            case LONG -> "BIGINT";
            case DOUBLE -> "DOUBLE";
            case BOOLEAN -> "BOOLEAN";
            case DATE -> "DATE";
            case DATETIME -> "DATETIME(6)";
            default -> "DECIMAL(" + (precision > 0 ? precision : 65) + ", " + (precision > 0 ? scale : 30) + ")";
        };
    }

    /** @return true if the two columns hold the same kind of value (text, number, flag, date, instant, id) */
    public boolean sameValueClass(Column o) {
        return valueClass() == o.valueClass();
    }

    private int valueClass() {
        if (kind.isText()) {
            return 0;
        }
        if (kind.isNumber()) {
            return 1;
        }
        return switch (kind) {
            case BOOLEAN -> 2;
            case DATE -> 3;
            case DATETIME -> 4;
            default -> 5;
        };
    }

    /**
     * @param o the column a changed describe asks for, of the same value class
     * @return a column that holds every value of both (the wider), or this one when it already does
     */
    public Column widen(Column o) {
        if (kind.isText()) {
            int len = length == 0 || o.length == 0 ? 0 : Math.max(length, o.length);
            return new Column(field, column, o.kind, len, 0, 0);
        }
        if (kind.isNumber()) {
            if (kind == StoreField.Kind.DOUBLE || o.kind == StoreField.Kind.DOUBLE) {
                return kind == o.kind ? this : new Column(field, column, StoreField.Kind.DECIMAL, 0, 0, 0);
            }
            boolean intA = kind == StoreField.Kind.INTEGER || kind == StoreField.Kind.LONG;
            boolean intB = o.kind == StoreField.Kind.INTEGER || o.kind == StoreField.Kind.LONG;
            if (intA && intB) {
                return kind == StoreField.Kind.LONG ? this : o;
            }
            if (precision == 0 && !intA || o.precision == 0 && !intB) {
                return new Column(field, column, intA ? o.kind : kind, 0, 0, 0);
            }
            int s = Math.max(intA ? 0 : scale, intB ? 0 : o.scale);
            int whole = Math.max(intA ? (kind == StoreField.Kind.INTEGER ? 10 : 19) : precision - scale,
                    intB ? (o.kind == StoreField.Kind.INTEGER ? 10 : 19) : o.precision - o.scale);
            return new Column(field, column, intA ? o.kind : kind, 0, whole + s, s);
        }
        return this;
    }

    /**
     * @param v a value (not NULL)
     * @return why the column cannot keep it exactly, if it cannot
     */
    public Optional<StoreChecks.Problem> problem(FieldValue v) {
        boolean fits = switch (kind) {
            case REFERENCE, ID -> v instanceof FieldValue.Ref;
            case BOOLEAN -> v instanceof FieldValue.Bool;
            case DATE -> v instanceof FieldValue.Date;
            case DATETIME -> v instanceof FieldValue.DateTime;
            default -> kind.isText() ? v instanceof FieldValue.Text : v instanceof FieldValue.Number;
        };
        if (!fits) {
            return Optional.of(new StoreChecks.Problem("WRONG_KIND", "a " + kindName(v) + " value cannot be kept in "
                    + where() + "; if the CRM changed the field's type,"
                    + " rename or drop the old column and crmsync adds a new one"));
        }
        if (v instanceof FieldValue.Text t) {
            if (length > 0 && t.value().length() > length) {
                return Optional.of(new StoreChecks.Problem("VALUE_TOO_LONG", where() + " takes at most " + length
                        + " characters; the value has " + t.value().length()));
            }
        } else if (v instanceof FieldValue.Number n) {
            String r = numberProblem(n.value());
            if (r != null) {
                return Optional.of(new StoreChecks.Problem("VALUE_OUT_OF_RANGE", where() + ": " + r));
            }
        } else if (v instanceof FieldValue.Date d) {
            if (d.value().getYear() < 1 || d.value().getYear() > 9999) {
                return Optional.of(new StoreChecks.Problem("VALUE_OUT_OF_RANGE", where() + " takes years 1 to 9999"));
            }
        } else if (v instanceof FieldValue.DateTime t) {
            Instant i = t.value();
            if (i.isBefore(EARLIEST) || i.isAfter(LATEST)) {
                return Optional.of(new StoreChecks.Problem("VALUE_OUT_OF_RANGE", where() + " takes years 1 to 9999"));
            }
            if (i.getNano() % 1000 != 0) {
                return Optional.of(new StoreChecks.Problem("VALUE_OUT_OF_RANGE", where()
                        + " keeps instants to the microsecond; the value has nanoseconds"));
            }
        }
        return Optional.empty();
    }

    private String where() {
        return "field '" + field + "' (column " + column + ", " + kind + ")";
    }

    private @Nullable String numberProblem(BigDecimal v) {
        switch (kind) {
            case INTEGER, LONG -> {
                if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) {
                    return "a whole number is expected; the value has a fraction";
                }
                BigDecimal min = kind == StoreField.Kind.INTEGER ? INT_MIN : LONG_MIN;
                BigDecimal max = kind == StoreField.Kind.INTEGER ? INT_MAX : LONG_MAX;
                if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
                    return "the value is out of the column's range (" + (kind == StoreField.Kind.INTEGER ? 32 : 64) + " bits)";
                }
                return null;
            }
            case DOUBLE -> {
                double d = v.doubleValue();
                if (Double.isInfinite(d) || new BigDecimal(Double.toString(d)).compareTo(v) != 0) {
                    return "a double holds the value only approximately";
                }
                return null;
            }
            default -> {
                BigDecimal s = v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros();
                int fraction = Math.max(0, s.scale());
                int whole = s.signum() == 0 ? 0 : Math.max(0, s.precision() - s.scale());
                if (precision == 0) {
                    return whole + fraction > MAX_UNBOUNDED_DIGITS ? "more than " + MAX_UNBOUNDED_DIGITS + " digits" : null;
                }
                if (fraction > scale) {
                    return "the column keeps " + scale + " digits after the point; the value has " + fraction;
                }
                if (whole > precision - scale) {
                    return "the column keeps " + (precision - scale) + " digits before the point; the value has " + whole;
                }
                return null;
            }
        }
    }

    private static String kindName(FieldValue v) {
        return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Binds a value (or SQL NULL) checked by {@link #problem}.
     *
     * @param ps the statement
     * @param i the parameter
     * @param v the value, {@link FieldValue#NULL} for none
     * @param dialect the dialect (MariaDB takes instants as UTC wall time)
     * @throws SQLException on failure
     */
    public void bind(PreparedStatement ps, int i, FieldValue v, SqlDialect dialect) throws SQLException {
        if (v.isNull()) {
            ps.setNull(i, dialect == SqlDialect.MARIADB && kind == StoreField.Kind.DATETIME ? Types.TIMESTAMP : sqlTypeCode());
        } else if (v instanceof FieldValue.Text t) {
            ps.setString(i, t.value());
        } else if (v instanceof FieldValue.Ref r) {
            ps.setString(i, r.id().value());
        } else if (v instanceof FieldValue.Number n) {
            switch (kind) {
                case INTEGER -> ps.setInt(i, n.value().intValueExact());
                case LONG -> ps.setLong(i, n.value().longValueExact());
                case DOUBLE -> ps.setDouble(i, n.value().doubleValue());
                default -> ps.setBigDecimal(i, n.value());
            }
        } else if (v instanceof FieldValue.Bool b) {
            ps.setBoolean(i, b.value());
        } else if (v instanceof FieldValue.Date d) {
            ps.setObject(i, d.value());
        } else if (v instanceof FieldValue.DateTime t) {
            if (dialect == SqlDialect.MARIADB) {
                ps.setObject(i, java.time.LocalDateTime.ofInstant(t.value(), ZoneOffset.UTC));
            } else {
                ps.setObject(i, OffsetDateTime.ofInstant(t.value(), ZoneOffset.UTC));
            }
        } else {
            throw new SQLException("unbindable value kind " + v.getClass().getSimpleName());
        }
    }

    private int sqlTypeCode() {
        if (kind.isText()) {
            return Types.VARCHAR;
        }
        return switch (kind) {
            case REFERENCE, ID -> Types.VARCHAR;
            case INTEGER -> Types.INTEGER;
            case LONG -> Types.BIGINT;
            case DOUBLE -> Types.DOUBLE;
            case BOOLEAN -> Types.BOOLEAN;
            case DATE -> Types.DATE;
            case DATETIME -> Types.TIMESTAMP_WITH_TIMEZONE;
            default -> Types.NUMERIC;
        };
    }

    /** A column value that cannot be read back as a field value; the message never holds the value. */
    public static final class UnreadableException extends Exception {
        private static final long serialVersionUID = 1L;

        /** @param reason why, without the value */
        public UnreadableException(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Reads the column.
     *
     * @param rs the row
     * @param i the column's index
     * @param dialect the dialect (MariaDB keeps instants as UTC wall time)
     * @return its value, {@link FieldValue#NULL} for SQL NULL
     * @throws SQLException on failure
     * @throws UnreadableException if the stored value is not one of the column's kind (a host wrote it)
     */
    public FieldValue read(ResultSet rs, int i, SqlDialect dialect) throws SQLException, UnreadableException {
        if (kind.isText()) {
            return FieldValue.textOrNull(rs.getString(i));
        }
        switch (kind) {
            case REFERENCE, ID -> {
                String s = rs.getString(i);
                if (s == null) {
                    return FieldValue.NULL;
                }
                try {
                    return FieldValue.ref(CrmId.of(s));
                } catch (IllegalArgumentException e) {
                    throw new UnreadableException("not a 15- or 18-character record id");
                }
            }
            case BOOLEAN -> {
                boolean b = rs.getBoolean(i);
                return rs.wasNull() ? FieldValue.NULL : FieldValue.bool(b);
            }
            case DATE -> {
                LocalDate d = rs.getObject(i, LocalDate.class);
                return d == null ? FieldValue.NULL : FieldValue.date(d);
            }
            case DATETIME -> {
                if (dialect == SqlDialect.MARIADB) {
                    java.time.LocalDateTime w = rs.getObject(i, java.time.LocalDateTime.class);
                    return w == null ? FieldValue.NULL : FieldValue.dateTime(w.toInstant(ZoneOffset.UTC));
                }
                OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                return t == null ? FieldValue.NULL : FieldValue.dateTime(t.toInstant());
            }
            case DOUBLE -> {
                double d = rs.getDouble(i);
                if (rs.wasNull()) {
                    return FieldValue.NULL;
                }
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new UnreadableException("not a finite number");
                }
                return FieldValue.number(new BigDecimal(Double.toString(d)));
            }
            default -> {
                BigDecimal n = rs.getBigDecimal(i);
                if (n == null) {
                    return FieldValue.NULL;
                }
                if (n.stripTrailingZeros().precision() > MAX_UNBOUNDED_DIGITS * 2) {
                    throw new UnreadableException("a number of more than " + MAX_UNBOUNDED_DIGITS * 2 + " digits");
                }
                return FieldValue.number(n);
            }
        }
    }

}
