import GRDB

/// The schema as named migrations. **A migration is never edited once shipped**: a change is a new
/// migration appended at the end. GRDB records applied identifiers in `grdb_migrations`; a file
/// holding an identifier this build does not know was written by a newer sensorstation.
///
/// Conventions: every table that leaves the device has `id INTEGER PRIMARY KEY AUTOINCREMENT`
/// (never reused, even after retention deletes the newest row, so upload cursors stay valid and
/// resends are idempotent); times are Unix epoch microseconds (UTC) in `*_us` INTEGER columns;
/// accelerations in g, pressures in Pa, temperatures in °C.
enum Schema {
    /// Identifiers in order. Appending is the only allowed change.
    static let identifiers = [
        "v1-readings-impacts-events", "v2-raw-acceleration", "v3-minute-rollups",
        "v4-impacts-hic15-nullable", "v5-alert-outbox", "v6-impacts-fall", "v7-impacts-components",
    ]

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        // Never erase: a schema mismatch on a device is a bug to report, not data to throw away.
        m.eraseDatabaseOnSchemaChange = false

        m.registerMigration("v1-readings-impacts-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE weather (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time_us INTEGER NOT NULL,
                        sensor TEXT NOT NULL,
                        temperature_c REAL NOT NULL,
                        humidity_percent REAL,
                        pressure_pa REAL NOT NULL
                    );
                    CREATE INDEX weather_time ON weather(time_us);

                    CREATE TABLE motion (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time_us INTEGER NOT NULL,
                        sample_count INTEGER NOT NULL,
                        min_g REAL NOT NULL,
                        max_g REAL NOT NULL,
                        mean_g REAL NOT NULL,
                        rms_g REAL NOT NULL,
                        peak_g REAL NOT NULL,
                        mean_x_g REAL NOT NULL,
                        mean_y_g REAL NOT NULL,
                        mean_z_g REAL NOT NULL,
                        saturated_count INTEGER NOT NULL
                    );
                    CREATE INDEX motion_time ON motion(time_us);

                    CREATE TABLE impacts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time_us INTEGER NOT NULL,          -- trigger: first threshold crossing
                        start_us INTEGER NOT NULL,
                        end_us INTEGER NOT NULL,
                        peak_us INTEGER NOT NULL,
                        peak_g REAL NOT NULL,
                        peak_x_g REAL NOT NULL,
                        peak_y_g REAL NOT NULL,
                        peak_z_g REAL NOT NULL,
                        duration_ms REAL NOT NULL,         -- time above threshold
                        severity TEXT NOT NULL,            -- 'impact' | 'severe'
                        delta_v_mps REAL NOT NULL,
                        hic15 REAL NOT NULL,
                        saturated INTEGER NOT NULL,        -- 0 | 1
                        threshold_g REAL NOT NULL,
                        sensor TEXT NOT NULL,
                        waveform BLOB NOT NULL,            -- WaveformCodec.encode output, opaque here
                        waveform_count INTEGER NOT NULL,
                        waveform_rate_hz REAL NOT NULL
                    );
                    CREATE INDEX impacts_time ON impacts(time_us);

                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time_us INTEGER NOT NULL,
                        kind TEXT NOT NULL,                -- button, streaming, state, fault, fault_cleared, ack
                        detail TEXT NOT NULL,
                        payload TEXT                       -- JSON object or NULL
                    );
                    CREATE INDEX events_time ON events(time_us);

                    -- The last id each destination confirmed, per kind. Rows with a larger id are
                    -- the backlog. Only ever moves forward.
                    CREATE TABLE upload_cursors (
                        destination TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        last_id INTEGER NOT NULL,
                        updated_us INTEGER NOT NULL,
                        PRIMARY KEY (destination, kind)
                    ) WITHOUT ROWID;
                    """)
        }

        m.registerMigration("v2-raw-acceleration") { db in
            // One row per batch handed to the recorder; `data` is RawSampleCodec's packed form.
            try db.execute(
                sql: """
                    CREATE TABLE raw_acceleration (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time_us INTEGER NOT NULL,          -- first sample
                        end_us INTEGER NOT NULL,           -- last sample
                        sample_count INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE INDEX raw_acceleration_time ON raw_acceleration(time_us);
                    """)
        }
        m.registerMigration("v3-minute-rollups") { db in
            // Per-minute sums of the per-second motion summaries and of the weather readings,
            // kept by triggers in the same transaction as each insert, so `query motion --since 7d
            // --every 1h` reads 10 080 minute rows instead of 604 800 seconds (weather: instead of
            // 60 480 readings). The sums are those the aggregate queries need (Σ n·mean and Σ n·rms²
            // give the exact mean and RMS of all samples of any bucket; humidity has its own count
            // because a BMP280 has none). Retention keeps whole minutes (see `retain`).
            try db.execute(
                sql: """
                    CREATE TABLE motion_minutes (
                        minute_us INTEGER PRIMARY KEY,     -- start of the minute (UTC), a multiple of 60 000 000
                        seconds INTEGER NOT NULL,          -- per-second rows summed in
                        samples INTEGER NOT NULL,
                        min_g REAL NOT NULL,
                        max_g REAL NOT NULL,
                        sum_mean_n REAL NOT NULL,          -- Σ mean_g · sample_count
                        sum_square_n REAL NOT NULL,        -- Σ rms_g² · sample_count
                        peak_g REAL NOT NULL,
                        saturated INTEGER NOT NULL
                    );
                    INSERT INTO motion_minutes
                        SELECT (time_us / 60000000) * 60000000, count(*), sum(sample_count), min(min_g), max(max_g),
                               sum(mean_g * sample_count), sum(rms_g * rms_g * sample_count), max(peak_g), sum(saturated_count)
                        FROM motion GROUP BY 1;
                    CREATE TRIGGER motion_minutes_after_insert AFTER INSERT ON motion BEGIN
                        INSERT INTO motion_minutes VALUES (
                            (NEW.time_us / 60000000) * 60000000, 1, NEW.sample_count, NEW.min_g, NEW.max_g,
                            NEW.mean_g * NEW.sample_count, NEW.rms_g * NEW.rms_g * NEW.sample_count, NEW.peak_g,
                            NEW.saturated_count)
                        ON CONFLICT (minute_us) DO UPDATE SET
                            seconds = seconds + 1,
                            samples = samples + excluded.samples,
                            min_g = min(min_g, excluded.min_g),
                            max_g = max(max_g, excluded.max_g),
                            sum_mean_n = sum_mean_n + excluded.sum_mean_n,
                            sum_square_n = sum_square_n + excluded.sum_square_n,
                            peak_g = max(peak_g, excluded.peak_g),
                            saturated = saturated + excluded.saturated;
                    END;
                    CREATE TABLE weather_minutes (
                        minute_us INTEGER PRIMARY KEY,
                        readings INTEGER NOT NULL,
                        temperature_sum REAL NOT NULL,
                        temperature_min REAL NOT NULL,
                        temperature_max REAL NOT NULL,
                        humidity_count INTEGER NOT NULL,   -- readings with a humidity
                        humidity_sum REAL NOT NULL,
                        humidity_min REAL,                 -- NULL while humidity_count = 0
                        humidity_max REAL,
                        pressure_sum REAL NOT NULL,
                        pressure_min REAL NOT NULL,
                        pressure_max REAL NOT NULL
                    );
                    INSERT INTO weather_minutes
                        SELECT (time_us / 60000000) * 60000000, count(*), sum(temperature_c), min(temperature_c),
                               max(temperature_c), count(humidity_percent), coalesce(sum(humidity_percent), 0),
                               min(humidity_percent), max(humidity_percent), sum(pressure_pa), min(pressure_pa), max(pressure_pa)
                        FROM weather GROUP BY 1;
                    CREATE TRIGGER weather_minutes_after_insert AFTER INSERT ON weather BEGIN
                        INSERT INTO weather_minutes VALUES (
                            (NEW.time_us / 60000000) * 60000000, 1, NEW.temperature_c, NEW.temperature_c, NEW.temperature_c,
                            NEW.humidity_percent IS NOT NULL, coalesce(NEW.humidity_percent, 0), NEW.humidity_percent,
                            NEW.humidity_percent, NEW.pressure_pa, NEW.pressure_pa, NEW.pressure_pa)
                        ON CONFLICT (minute_us) DO UPDATE SET
                            readings = readings + 1,
                            temperature_sum = temperature_sum + excluded.temperature_sum,
                            temperature_min = min(temperature_min, excluded.temperature_min),
                            temperature_max = max(temperature_max, excluded.temperature_max),
                            humidity_count = humidity_count + excluded.humidity_count,
                            humidity_sum = humidity_sum + excluded.humidity_sum,
                            -- SQL's two-argument min/max return NULL if either is NULL: skip a missing side.
                            humidity_min = coalesce(min(humidity_min, excluded.humidity_min), humidity_min, excluded.humidity_min),
                            humidity_max = coalesce(max(humidity_max, excluded.humidity_max), humidity_max, excluded.humidity_max),
                            pressure_sum = pressure_sum + excluded.pressure_sum,
                            pressure_min = min(pressure_min, excluded.pressure_min),
                            pressure_max = max(pressure_max, excluded.pressure_max);
                    END;
                    """)
        }
        m.registerMigration("v4-impacts-hic15-nullable") { db in
            // HIC15 needs samples at most 15 ms apart; below 67 Hz it is not computable and is
            // stored as NULL (v1 made the column NOT NULL and the detector wrote 0, which reads as
            // "harmless"). SQLite cannot drop a NOT NULL, so the table is rebuilt the documented
            // way (sqlite.org/lang_altertable.html, "other kinds of table schema changes"): same
            // columns, same ids, same index. Rows written before keep their 0: which of those were
            // "not computable" is not known any more. The AUTOINCREMENT counter is carried over, so
            // an id that retention deleted is still never reused (upload cursors rely on it).
            let sequence = try Int64.fetchOne(
                db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'impacts'")
            let columns = """
                id, time_us, start_us, end_us, peak_us, peak_g, peak_x_g, peak_y_g, peak_z_g, duration_ms, severity,
                delta_v_mps, hic15, saturated, threshold_g, sensor, waveform, waveform_count, waveform_rate_hz
                """
            try db.execute(
                sql: """
                    CREATE TABLE impacts_v4 (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time_us INTEGER NOT NULL,          -- trigger: first threshold crossing
                        start_us INTEGER NOT NULL,
                        end_us INTEGER NOT NULL,
                        peak_us INTEGER NOT NULL,
                        peak_g REAL NOT NULL,
                        peak_x_g REAL NOT NULL,
                        peak_y_g REAL NOT NULL,
                        peak_z_g REAL NOT NULL,
                        duration_ms REAL NOT NULL,         -- time above threshold
                        severity TEXT NOT NULL,            -- 'impact' | 'severe'
                        delta_v_mps REAL NOT NULL,
                        hic15 REAL,                        -- NULL: no 15 ms window at the sample rate
                        saturated INTEGER NOT NULL,        -- 0 | 1
                        threshold_g REAL NOT NULL,
                        sensor TEXT NOT NULL,
                        waveform BLOB NOT NULL,            -- WaveformCodec.encode output, opaque here
                        waveform_count INTEGER NOT NULL,
                        waveform_rate_hz REAL NOT NULL
                    );
                    INSERT INTO impacts_v4 (\(columns)) SELECT \(columns) FROM impacts;
                    DROP TABLE impacts;
                    ALTER TABLE impacts_v4 RENAME TO impacts;
                    CREATE INDEX impacts_time ON impacts(time_us);
                    """)
            if let sequence {
                try db.execute(
                    sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'impacts'",
                    arguments: [sequence])
                if db.changesCount == 0 {
                    try db.execute(
                        sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('impacts', ?)",
                        arguments: [sequence])
                }
            }
        }
        m.registerMigration("v5-alert-outbox") { db in
            // Impact alerts to a person (docs/alerts.md): one row per alert, written when the
            // impact is recorded and kept after it is sent. An alert that coalesced several
            // impacts lists them all; `impact_id` is the first (the id the receiver sees, and a
            // FIFO topic's deduplication id). Sent at most once as far as this file knows: a
            // crash between Publish and the update sends again, with the same ids.
            try db.execute(
                sql: """
                    CREATE TABLE alerts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        impact_id INTEGER NOT NULL UNIQUE,
                        impact_ids TEXT NOT NULL,         -- JSON array, impact_id first
                        created_us INTEGER NOT NULL,      -- when the first impact was recorded
                        state TEXT NOT NULL,              -- 'pending' | 'sent' | 'cancelled'
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT,
                        last_attempt_us INTEGER,
                        sent_us INTEGER,
                        message_id TEXT,
                        cancelled_us INTEGER,
                        cancel_cause TEXT
                    );
                    CREATE INDEX alerts_state ON alerts(state, id);
                    """)
        }
        m.registerMigration("v6-impacts-fall") { db in
            // The free fall an impact ended (docs/impact-detection.md, "Free fall"): its duration in
            // ms, NULL when none ended within half a second before the impact (and for every
            // impact recorded before this version).
            try db.execute(sql: "ALTER TABLE impacts ADD COLUMN fall_ms REAL")
        }
        m.registerMigration("v7-impacts-components") { db in
            // The peak's vertical and horizontal components in the station's mounting
            // (accelerometer.up), g; NULL when it was not configured (and before this version).
            try db.execute(sql: "ALTER TABLE impacts ADD COLUMN vertical_g REAL")
            try db.execute(sql: "ALTER TABLE impacts ADD COLUMN horizontal_g REAL")
        }
        return m
    }
}
