CREATE TABLE "apps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "apps_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "check_results" (
	"run_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"app_id" bigint NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"duration_ms" integer NOT NULL,
	"attempts" integer NOT NULL,
	"error" text,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"version" text NOT NULL,
	"sha" text,
	"merge_sha" text,
	"branch" text,
	"deployed_at" timestamp with time zone,
	"notes" text,
	"previous_release_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"smoke_seal" jsonb
);
--> statement-breakpoint
CREATE TABLE "seal_runs" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"release_id" bigint,
	"verdict" text NOT NULL,
	"summary" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"result" jsonb NOT NULL,
	"evidence_dir" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_run_id_seal_runs_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."seal_runs"("run_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_previous_release_id_releases_id_fk" FOREIGN KEY ("previous_release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seal_runs" ADD CONSTRAINT "seal_runs_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seal_runs" ADD CONSTRAINT "seal_runs_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "check_results_run_position" ON "check_results" USING btree ("run_id","position");--> statement-breakpoint
CREATE INDEX "check_results_app_name" ON "check_results" USING btree ("app_id","name","finished_at");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_app_version" ON "releases" USING btree ("app_id","version");--> statement-breakpoint
CREATE INDEX "releases_app_created" ON "releases" USING btree ("app_id","created_at");--> statement-breakpoint
CREATE INDEX "seal_runs_release" ON "seal_runs" USING btree ("release_id","finished_at");--> statement-breakpoint
CREATE INDEX "seal_runs_app_finished" ON "seal_runs" USING btree ("app_id","finished_at");