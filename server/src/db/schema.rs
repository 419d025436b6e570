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
        language -> Nullable<Text>,
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

diesel::table! {
    /// NPS and CSAT surveys.
    surveys (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        question_en -> Nullable<Text>,
        question_ja -> Nullable<Text>,
        follow_up_en -> Nullable<Text>,
        follow_up_ja -> Nullable<Text>,
        opens_on -> Nullable<Date>,
        closes_on -> Nullable<Date>,
        archived -> Bool,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Personal survey links (the token's SHA-256 only).
    survey_links (id) {
        id -> BigInt,
        survey_id -> BigInt,
        account_id -> BigInt,
        contact_id -> Nullable<BigInt>,
        token_hash -> Text,
        language -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Survey answers.
    survey_responses (id) {
        id -> BigInt,
        survey_id -> BigInt,
        account_id -> BigInt,
        contact_id -> Nullable<BigInt>,
        link_id -> Nullable<BigInt>,
        channel -> Text,
        entered_by -> Nullable<BigInt>,
        score -> Integer,
        comment -> Nullable<Text>,
        answered_on -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Things to do for an account.
    tasks (id) {
        id -> BigInt,
        account_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        kind -> Text,
        reason -> Text,
        due_on -> Date,
        status -> Text,
        source_type -> Nullable<Text>,
        source_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Onboarding sheet templates.
    sheet_templates (id) {
        id -> BigInt,
        kind -> Text,
        name_en -> Nullable<Text>,
        name_ja -> Nullable<Text>,
        description_en -> Nullable<Text>,
        description_ja -> Nullable<Text>,
        tier -> Nullable<Text>,
        archived -> Bool,
        builtin -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Items of a template, in order.
    sheet_template_items (id) {
        id -> BigInt,
        template_id -> BigInt,
        position -> Integer,
        title_en -> Nullable<Text>,
        title_ja -> Nullable<Text>,
        description_en -> Nullable<Text>,
        description_ja -> Nullable<Text>,
        phase -> Text,
        due_offset_days -> Integer,
        role -> Text,
        required -> Bool,
    }
}

diesel::table! {
    /// Onboarding sheets (customer) and enablement sheets (teammate).
    sheets (id) {
        id -> BigInt,
        template_id -> Nullable<BigInt>,
        kind -> Text,
        name_en -> Nullable<Text>,
        name_ja -> Nullable<Text>,
        account_id -> Nullable<BigInt>,
        member_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        started_on -> Date,
        completed_on -> Nullable<Date>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Items of a sheet, copied from the template at the start.
    sheet_items (id) {
        id -> BigInt,
        sheet_id -> BigInt,
        position -> Integer,
        title_en -> Nullable<Text>,
        title_ja -> Nullable<Text>,
        description_en -> Nullable<Text>,
        description_ja -> Nullable<Text>,
        phase -> Text,
        due_on -> Date,
        role -> Text,
        required -> Bool,
        done_on -> Nullable<Date>,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<BigInt>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    /// Ticks and unticks of sheet items.
    sheet_item_events (id) {
        id -> BigInt,
        item_id -> BigInt,
        action -> Text,
        note -> Nullable<Text>,
        done_on -> Nullable<Date>,
        user_id -> Nullable<BigInt>,
        at -> Timestamp,
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
diesel::joinable!(survey_links -> surveys (survey_id));
diesel::joinable!(survey_links -> accounts (account_id));
diesel::joinable!(survey_links -> contacts (contact_id));
diesel::joinable!(survey_responses -> surveys (survey_id));
diesel::joinable!(survey_responses -> accounts (account_id));
diesel::joinable!(survey_responses -> contacts (contact_id));
diesel::joinable!(tasks -> accounts (account_id));
diesel::joinable!(sheet_template_items -> sheet_templates (template_id));
diesel::joinable!(sheets -> sheet_templates (template_id));
diesel::joinable!(sheets -> accounts (account_id));
diesel::joinable!(sheet_items -> sheets (sheet_id));
diesel::joinable!(sheet_item_events -> sheet_items (item_id));
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
    surveys,
    survey_links,
    survey_responses,
    tasks,
    sheet_templates,
    sheet_template_items,
    sheets,
    sheet_items,
    sheet_item_events,
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
