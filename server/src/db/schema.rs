//! Diesel table definitions, kept in step with `migrations/`.

diesel::table! {
    /// People who sign in.
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
        last_sign_in_at -> Nullable<Timestamp>,
        password_changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Signed-in browsers; the cookie's token is stored as its SHA-256 only.
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        client_addr -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    /// The append-only audit log (no update or delete path in the code).
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        kind -> Text,
        category -> Text,
        actor_id -> Nullable<BigInt>,
        actor_name -> Nullable<Text>,
        actor_email -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        target_type -> Nullable<Text>,
        target_id -> Nullable<BigInt>,
        target_label -> Nullable<Text>,
        summary -> Text,
        changes -> Text,
    }
}

diesel::table! {
    /// Secrets generated once and shared by every server instance.
    server_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Customer accounts.
    accounts (id) {
        id -> BigInt,
        name -> Text,
        external_id -> Nullable<Text>,
        industry -> Nullable<Text>,
        plan -> Nullable<Text>,
        mrr_minor -> BigInt,
        currency -> Text,
        contract_start -> Nullable<Date>,
        renewal_date -> Nullable<Date>,
        owner_id -> Nullable<BigInt>,
        status -> Text,
        churn_date -> Nullable<Date>,
        churn_reason -> Nullable<Text>,
        flag_well_known -> Bool,
        flag_feedback -> Bool,
        flag_influencer -> Bool,
        expansion_potential -> Text,
        champion_name -> Nullable<Text>,
        champion_changed_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        domain -> Nullable<Text>,
        external_id_key -> Nullable<Text>,
    }
}

diesel::table! {
    /// Monthly MRR per account and product line (`month` = first day).
    account_mrr (id) {
        id -> BigInt,
        account_id -> BigInt,
        month -> Date,
        product -> Text,
        amount_minor -> BigInt,
        currency -> Text,
    }
}

diesel::table! {
    /// What each usage signal means.
    signal_definitions (key) {
        key -> Text,
        label -> Text,
        unit -> Text,
        description -> Text,
        higher_is_better -> Bool,
        builtin -> Bool,
        created_at -> Timestamp,
        label_ja -> Nullable<Text>,
        kind -> Text,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Dated signal values per account.
    signal_values (id) {
        id -> BigInt,
        account_id -> BigInt,
        signal_key -> Text,
        observed_on -> Date,
        value -> Double,
    }
}

diesel::table! {
    /// People at the customer.
    contacts (id) {
        id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        email -> Nullable<Text>,
        title -> Nullable<Text>,
        phone -> Nullable<Text>,
        is_champion -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// History of imports, merges and account changes.
    data_changes (id) {
        id -> BigInt,
        kind -> Text,
        user_id -> Nullable<BigInt>,
        file_name -> Nullable<Text>,
        rows_total -> BigInt,
        created -> BigInt,
        updated -> BigInt,
        unchanged -> BigInt,
        account_id -> Nullable<BigInt>,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The single row held while an import applies (see `db::imports`).
    import_lock (id) {
        id -> BigInt,
        holder -> Text,
        user_id -> Nullable<BigInt>,
        acquired_at -> Timestamp,
    }
}

diesel::joinable!(accounts -> users (owner_id));
diesel::joinable!(account_mrr -> accounts (account_id));
diesel::joinable!(signal_values -> accounts (account_id));
diesel::table! {
    /// Health models: drafts and published versions.
    health_models (id) {
        id -> BigInt,
        name -> Text,
        status -> Text,
        version -> BigInt,
        published_version -> Nullable<BigInt>,
        based_on -> Nullable<BigInt>,
        model -> Text,
        note -> Text,
        author_id -> Nullable<BigInt>,
        author_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Dated score snapshots per account.
    health_scores (account_id, scored_on) {
        account_id -> BigInt,
        scored_on -> Date,
        model_id -> BigInt,
        score -> Nullable<Double>,
        band -> Nullable<Text>,
    }
}

diesel::joinable!(signal_values -> signal_definitions (signal_key));
diesel::joinable!(health_scores -> accounts (account_id));
diesel::joinable!(health_scores -> health_models (model_id));
diesel::joinable!(contacts -> accounts (account_id));
diesel::joinable!(data_changes -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(audit_log -> users (actor_id));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    users,
    server_secrets,
    account_mrr,
    signal_definitions,
    signal_values,
    contacts,
    data_changes,
    sessions,
    audit_log,
    import_lock,
    health_models,
    health_scores,
);

diesel::table! {
    /// Change events for live dashboards and the KPI cache version.
    data_events (id) {
        id -> BigInt,
        kind -> Text,
        account_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}
