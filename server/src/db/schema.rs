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
    }
}

diesel::joinable!(accounts -> users (owner_id));
diesel::allow_tables_to_appear_in_same_query!(accounts, users, server_secrets);
