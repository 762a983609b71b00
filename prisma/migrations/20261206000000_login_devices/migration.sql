-- Known devices (decision 031): a browser that logged in as a user keeps its own budget of
-- failed logins for that user, so failures from anywhere else (anyone can fail a login under
-- any name) cannot lock the user out of the browser they use. The cookie holds a random
-- token; the row holds its SHA-256, as for sessions. Not money.
CREATE TABLE "login_devices" (
    "id" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "login_devices_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "login_devices_user_id_idx" ON "login_devices"("user_id");

ALTER TABLE "login_devices" ADD CONSTRAINT "login_devices_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
